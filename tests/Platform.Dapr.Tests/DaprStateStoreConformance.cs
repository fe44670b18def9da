using Dapr.Client;
using Platform.Dapr.Tests.Sidecar;
using Platform.State;
using Platform.State.Dapr;
using Platform.State.Tests;

namespace Platform.Dapr.Tests;

/// <summary>One sidecar double for the class; every test gets its own store name, so no test sees another's keys.</summary>
public sealed class DaprSidecarFixture : IAsyncLifetime
{
    public DaprSidecarDouble Sidecar { get; private set; } = null!;
    public DaprClient Client { get; private set; } = null!;

    public static string NewStoreName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public async Task InitializeAsync()
    {
        Sidecar = await DaprSidecarDouble.StartAsync();
        Client = Sidecar.CreateClient();
        await Client.WaitForSidecarAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Sidecar.DisposeAsync();
    }
}

/// <summary>The state port's contract on a Dapr state component (the sidecar double's), through DaprClient.</summary>
public sealed class DaprStateStoreConformance(DaprSidecarFixture dapr) : StateStoreConformance, IClassFixture<DaprSidecarFixture>
{
    protected override IStateStore Store { get; } = new DaprStateStore(dapr.Client, new DaprStateOptions { StoreName = DaprSidecarFixture.NewStoreName("conformance") });

    // The sidecar and the component keep real time, as Redis does in the Redis subclass.
    protected override Task LetTimePassAsync(TimeSpan elapsed) => Task.Delay(elapsed);
}
