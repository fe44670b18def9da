using Platform.Messaging.InMemory;

namespace Platform.Messaging.Tests;

public sealed class InMemoryBusConformance : BusConformance
{
    private readonly InMemoryTransport _transport = new(new InMemoryTransportOptions { PartitionsPerTopic = 4 });

    protected override IMessageTransport Transport => _transport;

    protected override async Task<IReadOnlyList<ReceivedMessage>> ReadTopicAsync(string topic, int expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var records = _transport.ReadAll(topic);
            if (records.Count >= expected || cts.IsCancellationRequested)
            {
                return records;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
