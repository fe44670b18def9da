using Dapr.Client;
using Platform.Dapr.Tests.Sidecar;
using Platform.Messaging;
using Platform.Messaging.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>One pod as the bus tests need it: the sidecar double, a DaprClient on it, the transport and the app it pushes to.</summary>
internal sealed class DaprPod : IAsyncDisposable
{
    private DaprPod(DaprSidecarDouble sidecar, DaprClient client, DaprTransport transport, DaprAppHost app)
    {
        Sidecar = sidecar;
        Client = client;
        Transport = transport;
        App = app;
    }

    public DaprSidecarDouble Sidecar { get; }
    public DaprClient Client { get; }
    public DaprTransport Transport { get; }
    public DaprAppHost App { get; }

    public static async Task<DaprPod> StartAsync(DaprSidecarDoubleOptions? sidecarOptions = null, DaprTransportOptions? transportOptions = null)
    {
        var sidecar = await DaprSidecarDouble.StartAsync(sidecarOptions);
        var client = sidecar.CreateClient();
        await client.WaitForSidecarAsync();
        var transport = new DaprTransport(client, transportOptions ?? new DaprTransportOptions());
        var app = await DaprAppHost.StartAsync(transport);
        sidecar.ConnectApp(app.Address, DaprAppHost.HealthPath);
        return new DaprPod(sidecar, client, transport, app);
    }

    /// <summary>Everything a topic holds on the broker, as a reader outside any group sees it.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> ReadTopicAsync(string topic, int expected, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var records = Sidecar.PubSub("pubsub").ReadAll(topic);
            if (records.Count >= expected || deadline.IsCancellationRequested)
            {
                return records.Select(r => new ReceivedMessage(r.Topic, r.Partition, r.Offset, r.Key, r.Headers, r.Value, r.Timestamp)).ToList();
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await App.DisposeAsync();
        await Transport.DisposeAsync();
        Client.Dispose();
    }
}
