using Platform.Sandbox.Faults;

namespace Platform.Sandbox;

/// <summary>The <c>Sandbox</c> configuration section. Each simulated system reads its own sub-section.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Seed of the fault dice; the same seed and the same request order give the same faults.</summary>
    public int Seed { get; set; } = 20261122;

    /// <summary>Faults active from start, by system name, as <c>PUT /_sandbox/faults/{system}</c> would set them.</summary>
    public Dictionary<string, FaultProfile> Faults { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
