using Platform.Messaging;
using Platform.Messaging.Tests;

namespace Platform.Dapr.Tests;

/// <summary>
/// The bus port's contract, with the consumer pipeline above it, on Dapr pub/sub: published through DaprClient to the
/// sidecar double, delivered by it to the app's subscription routes. One pod per test: the sidecar reads the app's
/// subscriptions once, when the app first reports healthy, as daprd does.
/// </summary>
public sealed class DaprBusConformance : BusConformance, IAsyncLifetime
{
    private DaprPod _pod = null!;

    protected override IMessageTransport Transport => _pod.Transport;

    protected override Task<IReadOnlyList<ReceivedMessage>> ReadTopicAsync(string topic, int expected, TimeSpan timeout) =>
        _pod.ReadTopicAsync(topic, expected, timeout);

    public async Task InitializeAsync() => _pod = await DaprPod.StartAsync();

    public async Task DisposeAsync() => await _pod.DisposeAsync();
}
