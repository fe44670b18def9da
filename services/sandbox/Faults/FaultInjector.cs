using Microsoft.Extensions.Options;
using Platform.Sandbox.Systems;

namespace Platform.Sandbox.Faults;

public enum FaultKind
{
    None,
    Error,
    Throttle,
    Timeout,

    /// <summary>The request is carried out, then its response is withheld (see <see cref="FaultProfile.LostResponseRate"/>).</summary>
    LostResponse,
}

public readonly record struct FaultDecision(TimeSpan Delay, FaultKind Kind, FaultProfile Profile);

/// <summary>
/// Holds the fault profile of every simulated system and rolls the dice for each request. Each system has its own
/// seeded generator, restarted whenever its profile is set or cleared, so the n-th request after a change always
/// meets the same fate: a load run repeated with the same seed sees the same faults in the same places.
/// </summary>
public sealed class FaultInjector
{
    private readonly Dictionary<string, SystemDice> _dice;
    private readonly int _seed;

    public FaultInjector(IOptions<SandboxOptions> options, IEnumerable<SimulatedSystem> systems)
    {
        _seed = options.Value.Seed;
        _dice = systems.ToDictionary(system => system.Name, system => new SystemDice(system.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, profile) in options.Value.Faults)
        {
            if (!_dice.ContainsKey(name))
            {
                throw new InvalidOperationException($"Sandbox:Faults names unknown system '{name}'; known: {string.Join(", ", _dice.Keys)}");
            }

            var errors = profile.Validate();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"Sandbox:Faults:{name} is invalid: {string.Join("; ", errors.Select(e => $"{e.Key} {e.Value[0]}"))}");
            }
        }

        foreach (var dice in _dice.Values)
        {
            dice.Reset(options.Value.Faults.TryGetValue(dice.System, out var profile) ? profile : FaultProfile.None, _seed);
        }
    }

    public IReadOnlyCollection<string> Systems => _dice.Keys;

    public bool IsKnown(string system) => _dice.ContainsKey(system);

    public FaultProfile Get(string system) => DiceOf(system).Profile;

    public IReadOnlyDictionary<string, FaultProfile> GetAll() => _dice.ToDictionary(pair => pair.Key, pair => pair.Value.Profile, StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The profile is invalid (see <see cref="FaultProfile.Validate"/>).</exception>
    public void Set(string system, FaultProfile profile)
    {
        var errors = profile.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid fault profile: {string.Join("; ", errors.Select(e => $"{e.Key} {e.Value[0]}"))}", nameof(profile));
        }

        DiceOf(system).Reset(profile, _seed);
    }

    public void Clear(string system) => DiceOf(system).Reset(FaultProfile.None, _seed);

    public FaultDecision Decide(string system) => DiceOf(system).Roll();

    private SystemDice DiceOf(string system) =>
        _dice.TryGetValue(system, out var dice) ? dice : throw new KeyNotFoundException($"no simulated system '{system}'");

    private sealed class SystemDice(string system)
    {
        private readonly Lock _gate = new();
        private Random _random = new(0);

        public string System { get; } = system;

        public FaultProfile Profile { get; private set; } = FaultProfile.None;

        public void Reset(FaultProfile profile, int defaultSeed)
        {
            lock (_gate)
            {
                Profile = profile;
                // Mixing in the system name keeps two systems with the same profile from failing in lockstep.
                _random = new Random((profile.Seed ?? defaultSeed) ^ StableHash(System));
            }
        }

        public FaultDecision Roll()
        {
            FaultProfile profile;
            double jitterRoll, faultRoll;
            lock (_gate)
            {
                profile = Profile;
                // Both draws happen on every request so that one knob does not shift the sequence of the other.
                jitterRoll = _random.NextDouble();
                faultRoll = _random.NextDouble();
            }

            var delay = TimeSpan.FromMilliseconds(profile.LatencyMs + Math.Floor(jitterRoll * (profile.LatencyJitterMs + 1)));
            var kind = faultRoll < profile.TimeoutRate ? FaultKind.Timeout
                : faultRoll < profile.TimeoutRate + profile.ThrottleRate ? FaultKind.Throttle
                : faultRoll < profile.TimeoutRate + profile.ThrottleRate + profile.ErrorRate ? FaultKind.Error
                : faultRoll < profile.TimeoutRate + profile.ThrottleRate + profile.ErrorRate + profile.LostResponseRate ? FaultKind.LostResponse
                : FaultKind.None;
            return new FaultDecision(delay, kind, profile);
        }

        // string.GetHashCode is randomised per process; runs must repeat across processes.
        private static int StableHash(string value)
        {
            var hash = 2166136261u;
            foreach (var c in value.ToLowerInvariant())
            {
                hash = (hash ^ c) * 16777619u;
            }

            return unchecked((int)hash);
        }
    }
}
