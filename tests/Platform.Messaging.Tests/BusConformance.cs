using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Platform.Messaging;

namespace Platform.Messaging.Tests;

/// <summary>
/// The bus port's contract. Every transport runs exactly these tests (in-memory here, Kafka on librdkafka's mock
/// cluster in Platform.Messaging.Kafka.Tests), so services can rely on the same behaviour whichever is deployed.
/// </summary>
public abstract class BusConformance
{
    protected abstract IMessageTransport Transport { get; }

    /// <summary>Reads what a topic holds (from the beginning, outside any group) until <paramref name="expected"/> records are seen.</summary>
    protected abstract Task<IReadOnlyList<ReceivedMessage>> ReadTopicAsync(string topic, int expected, TimeSpan timeout);

    protected virtual TimeSpan Settle => TimeSpan.FromSeconds(30);

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private BusHarness NewHarness(Action<ConsumerFailurePolicy>? policy = null) =>
        new(Transport, Unique("conformance.events"), Unique("conformance-group"), policy);

    private async Task<IReadOnlyList<T>> EventuallyAsync<T>(Func<Task<IReadOnlyList<T>>> read)
    {
        using var deadline = new CancellationTokenSource(Settle);
        while (true)
        {
            var items = await read();
            if (items.Count > 0 || deadline.IsCancellationRequested)
            {
                return items;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Events_of_one_key_are_handled_in_the_order_they_were_published()
    {
        await using var bus = NewHarness();
        await bus.StartConsumerAsync();
        const int keys = 12, perKey = 25;
        for (var seq = 0; seq < perKey; seq++)
        {
            for (var key = 0; key < keys; key++)
            {
                await bus.PublishAsync($"sku-{key}", $"sku-{key}|{seq}");
            }
        }

        await bus.Behaviour.WaitForEffectsAsync(keys * perKey, Settle);
        foreach (var group in bus.Behaviour.Effects.GroupBy(e => e.Key))
        {
            var sequence = group.Select(e => int.Parse(e.Value.Split('|')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, perKey), sequence);
        }
    }

    [Fact]
    public async Task Events_not_committed_when_a_consumer_is_killed_are_delivered_to_the_next_member_and_take_effect_once()
    {
        await using var bus = NewHarness();
        using var stuck = new SemaphoreSlim(0);
        bus.Behaviour.OnEvent = async (e, _, token) =>
        {
            if (e.Value == "order|20")
            {
                stuck.Release();
                await Task.Delay(Timeout.Infinite, token);
            }
        };
        var first = await bus.StartConsumerAsync();
        for (var i = 0; i < 50; i++)
        {
            await bus.PublishAsync("order-1", $"order|{i}");
        }

        Assert.True(await stuck.WaitAsync(Settle), "the handler never reached event 20");
        await first.AbortAsync();
        Assert.Equal(20, bus.Behaviour.Effects.Count);

        bus.Behaviour.OnEvent = (_, _, _) => Task.CompletedTask;
        await bus.StartConsumerAsync();
        await bus.Behaviour.WaitForEffectsAsync(50, Settle);
        await Task.Delay(300);

        Assert.Equal(50, bus.Behaviour.Effects.Count);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(1, bus.Behaviour.EffectCount($"order|{i}")));
        Assert.Equal(2, bus.Behaviour.Deliveries.Count(d => d.Value == "order|20"));
    }

    [Fact]
    public async Task A_redelivered_event_takes_effect_once()
    {
        await using var bus = NewHarness();
        await bus.StartConsumerAsync();
        var envelope = bus.Publisher.CreateEnvelope("customer-7", new StringValue { Value = "welcome" });
        var record = EventCodec.ToTransport(bus.Topic, envelope);
        await Transport.ProduceAsync(record);
        await Transport.ProduceAsync(record);
        await bus.PublishAsync("customer-7", "sentinel");

        await bus.Behaviour.WaitForEffectsAsync(2, Settle);
        await Task.Delay(300);
        Assert.Equal(1, bus.Behaviour.EffectCount("welcome"));
        Assert.Equal(1, bus.Behaviour.EffectCount("sentinel"));
    }

    [Fact]
    public async Task A_handler_that_keeps_failing_ends_in_the_dead_letter_topic_with_the_reason_while_the_partition_moves_on()
    {
        await using var bus = NewHarness();
        bus.Behaviour.OnEvent = (e, _, _) => e.Value == "poison"
            ? throw new InvalidOperationException("ERP answered 500 for document 42")
            : Task.CompletedTask;
        await bus.StartConsumerAsync();
        await bus.PublishAsync("sku-9", "poison");
        await bus.PublishAsync("sku-9", "healthy");

        var deadLetters = await ReadTopicAsync(ConsumerTopics.DeadLetterTopic(bus.Group), 1, Settle);
        var letter = Assert.Single(deadLetters);
        Assert.Equal(FailureKinds.Exhausted, letter.Headers[EventHeaders.FailureKind]);
        Assert.Contains("ERP answered 500 for document 42", letter.Headers[EventHeaders.FailureReason], StringComparison.Ordinal);
        // 1 try + 2 in place, twice: once on the original topic, once after the retry-topic round.
        Assert.Equal("6", letter.Headers[EventHeaders.Attempts]);
        Assert.Equal(bus.Topic, letter.Headers[EventHeaders.OriginalTopic]);
        Assert.True(long.Parse(letter.Headers[EventHeaders.FirstFailureTime], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("poison", StringValue.Parser.ParseFrom(letter.Value.Span).Value);
        Assert.Equal(6, bus.Behaviour.Deliveries.Count(d => d.Value == "poison"));
        Assert.Equal(1, bus.Behaviour.EffectCount("healthy"));

        // The letter is recorded for operators just after it reaches the topic.
        var stored = Assert.Single(await EventuallyAsync(() => bus.DeadLetters.ListAsync(new DeadLetterFilter { ConsumerGroup = bus.Group })));
        Assert.Equal(FailureKinds.Exhausted, stored.FailureKind);
        Assert.Equal(6, stored.Attempts);
    }

    [Fact]
    public async Task A_malformed_record_is_dead_lettered_at_once_and_the_next_event_is_still_handled()
    {
        await using var bus = NewHarness();
        await bus.StartConsumerAsync();
        await Transport.ProduceAsync(new TransportMessage(bus.Topic, "sku-1", new Dictionary<string, string>(), Encoding.UTF8.GetBytes("{not an event")));
        var badPayload = EventCodec.ToTransport(bus.Topic, bus.Publisher.CreateEnvelope("sku-1", new StringValue { Value = "x" })) with { Value = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF } };
        await Transport.ProduceAsync(badPayload);
        await bus.PublishAsync("sku-1", "good");

        var deadLetters = await ReadTopicAsync(ConsumerTopics.DeadLetterTopic(bus.Group), 2, Settle);
        Assert.Equal(2, deadLetters.Count);
        Assert.All(deadLetters, d => Assert.Equal(FailureKinds.Malformed, d.Headers[EventHeaders.FailureKind]));
        Assert.Contains(deadLetters, d => d.Headers[EventHeaders.FailureReason].Contains("ce_specversion", StringComparison.Ordinal));
        Assert.Contains(deadLetters, d => d.Headers[EventHeaders.FailureReason].Contains("google.protobuf.StringValue", StringComparison.Ordinal));
        Assert.All(deadLetters, d => Assert.Equal("0", d.Headers[EventHeaders.Attempts]));

        await bus.Behaviour.WaitForEffectsAsync(1, Settle);
        Assert.Equal("good", Assert.Single(bus.Behaviour.Deliveries).Value);
    }

    [Fact]
    public async Task An_invalid_event_is_dead_lettered_without_retries_and_replays_once_fixed()
    {
        await using var bus = NewHarness();
        var known = false;
        bus.Behaviour.OnEvent = (e, _, _) => known ? Task.CompletedTask : throw new InvalidEventException($"unknown SKU '{e.Value}'");
        await bus.StartConsumerAsync();
        await bus.PublishAsync("sku-404", "sku-404");

        var letter = Assert.Single(await ReadTopicAsync(ConsumerTopics.DeadLetterTopic(bus.Group), 1, Settle));
        Assert.Equal(FailureKinds.Invalid, letter.Headers[EventHeaders.FailureKind]);
        Assert.Equal("unknown SKU 'sku-404'", letter.Headers[EventHeaders.FailureReason]);
        Assert.Equal("1", letter.Headers[EventHeaders.Attempts]);
        Assert.Single(bus.Behaviour.Deliveries);

        Assert.Single(await EventuallyAsync(() => bus.DeadLetters.ListAsync(new DeadLetterFilter { ConsumerGroup = bus.Group })));
        known = true;
        var replayed = await bus.Replayer.ReplayAsync(new DeadLetterFilter { ConsumerGroup = bus.Group });
        Assert.Equal(1, replayed);
        await bus.Behaviour.WaitForEffectsAsync(1, Settle);
        Assert.Equal(0, await bus.DeadLetters.CountAsync());
    }

    [Fact]
    public async Task The_outbox_relay_publishes_what_a_transaction_committed_and_nothing_of_one_that_failed()
    {
        await using var bus = NewHarness();
        await bus.StartConsumerAsync();

        var committed = new State.StateTransaction().Set("stock:sku-1", Encoding.UTF8.GetBytes("5"), State.StateCondition.MustNotExist);
        committed.Publish(bus.Publisher, bus.Topic, "sku-1", new StringValue { Value = "stock-5" });
        await bus.Store.CommitAsync(committed);

        var refused = new State.StateTransaction().Set("stock:sku-1", Encoding.UTF8.GetBytes("7"), State.StateCondition.MustNotExist);
        refused.Publish(bus.Publisher, bus.Topic, "sku-1", new StringValue { Value = "stock-7" });
        await Assert.ThrowsAsync<State.ConcurrencyConflictException>(() => bus.Store.CommitAsync(refused));

        Assert.Equal(1, await bus.Relay.DrainOnceAsync(CancellationToken.None));
        Assert.Equal(0, await bus.Store.CountOutboxAsync());
        await bus.PublishAsync("sku-1", "sentinel");
        await bus.Behaviour.WaitForEffectsAsync(2, Settle);
        Assert.Equal(["stock-5", "sentinel"], bus.Behaviour.Effects.Select(e => e.Value));
    }
}
