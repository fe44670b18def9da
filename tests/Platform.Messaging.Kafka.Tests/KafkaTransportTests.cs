using Platform.Messaging.Kafka;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Platform.Testing;
using Xunit.Abstractions;

namespace Platform.Messaging.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaTransportTests(KafkaMockCluster cluster, ITestOutputHelper output)
{
    private static readonly string Group = "transport-tests";

    [Fact]
    public async Task Records_of_one_key_are_handled_in_order_while_partitions_run_in_parallel()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        var topic = cluster.CreateTopic("order", partitions: 6);
        const int keys = 40, perKey = 50;
        var batch = new List<TransportMessage>();
        for (var seq = 0; seq < perKey; seq++)
        {
            for (var key = 0; key < keys; key++)
            {
                batch.Add(KafkaTestBed.Message(topic, $"sku-{key}", seq.ToString(CultureInfo.InvariantCulture)));
            }
        }

        await bed.Transport.ProduceBatchAsync(batch);

        var handled = new ConcurrentQueue<(string Key, int Seq, int Partition)>();
        var inFlightPerPartition = new ConcurrentDictionary<int, int>();
        int inFlight = 0, mostInFlight = 0, overlapsInOnePartition = 0;
        await bed.StartConsumerAsync(KafkaMockCluster.UniqueName(Group), topic, async (message, token) =>
        {
            if (inFlightPerPartition.AddOrUpdate(message.Partition, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlapsInOnePartition);
            }

            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            await Task.Delay(1, token);
            handled.Enqueue((message.Key!, int.Parse(KafkaTestBed.Text(message), CultureInfo.InvariantCulture), message.Partition));
            Interlocked.Decrement(ref inFlight);
            inFlightPerPartition.AddOrUpdate(message.Partition, 0, (_, n) => n - 1);
        });

        await KafkaTestBed.WaitUntilAsync(() => handled.Count >= keys * perKey, $"{keys * perKey} records were handled");

        Assert.Equal(keys * perKey, handled.Count);
        foreach (var key in handled.GroupBy(h => h.Key))
        {
            Assert.Equal(Enumerable.Range(0, perKey), key.Select(h => h.Seq));
            Assert.Single(key.Select(h => h.Partition).Distinct());
        }

        Assert.Equal(0, overlapsInOnePartition);
        Assert.True(mostInFlight > 1, "handlers of different partitions never ran at the same time");
        Assert.True(handled.Select(h => h.Partition).Distinct().Count() > 1, "all keys landed in one partition");
    }

    [Fact]
    public async Task A_record_is_committed_only_after_its_handler_returned_so_an_aborted_member_loses_nothing()
    {
        await using var bed = new KafkaTestBed(cluster, output, o => o.ConsumerSettings["auto.commit.interval.ms"] = "100");
        var topic = cluster.CreateTopic("abort", partitions: 1);
        var group = KafkaMockCluster.UniqueName(Group);
        const int records = 30, stuckAt = 10;
        await bed.Transport.ProduceBatchAsync([.. Enumerable.Range(0, records).Select(i => KafkaTestBed.Message(topic, "order-1", $"{i}"))]);

        var handledByFirst = new ConcurrentQueue<long>();
        using var stuck = new SemaphoreSlim(0);
        var stuckHandlerCancelled = false;
        var first = await bed.StartConsumerAsync(group, topic, async (message, token) =>
        {
            if (message.Offset == stuckAt)
            {
                stuck.Release();
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                    stuckHandlerCancelled = true;
                    throw;
                }
            }

            handledByFirst.Enqueue(message.Offset);
        });

        Assert.True(await stuck.WaitAsync(KafkaTestBed.Patience), $"the handler never reached offset {stuckAt}");

        // Several auto-commit intervals pass while the handler is stuck: an offset stored too early would be committed now.
        await Task.Delay(600);
        await first.AbortAsync();

        Assert.True(stuckHandlerCancelled, "aborting did not cancel the handler in flight");
        Assert.Equal(Enumerable.Range(0, stuckAt).Select(i => (long)i), handledByFirst);

        var handledBySecond = new ConcurrentQueue<long>();
        await bed.StartConsumerAsync(group, topic, (message, _) =>
        {
            handledBySecond.Enqueue(message.Offset);
            return Task.CompletedTask;
        });

        await KafkaTestBed.WaitUntilAsync(() => handledBySecond.Contains(records - 1), "the next member reached the last record");
        Assert.Equal(Enumerable.Range(stuckAt, records - stuckAt).Select(i => (long)i), handledBySecond);
    }

    [Fact]
    public async Task Stopping_lets_the_handler_in_flight_finish_and_commits_it()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        var topic = cluster.CreateTopic("stop", partitions: 1);
        var group = KafkaMockCluster.UniqueName(Group);
        await bed.Transport.ProduceBatchAsync([.. Enumerable.Range(0, 10).Select(i => KafkaTestBed.Message(topic, "customer-1", $"{i}"))]);

        using var slowStarted = new SemaphoreSlim(0);
        var handledByFirst = new ConcurrentQueue<long>();
        var first = await bed.StartConsumerAsync(group, topic, async (message, token) =>
        {
            if (message.Offset == 5)
            {
                slowStarted.Release();
                await Task.Delay(500, token);
            }

            handledByFirst.Enqueue(message.Offset);
        });

        Assert.True(await slowStarted.WaitAsync(KafkaTestBed.Patience), "the handler never reached offset 5");
        await first.StopAsync();
        Assert.Equal([0L, 1, 2, 3, 4, 5], handledByFirst);

        var handledBySecond = new ConcurrentQueue<long>();
        await bed.StartConsumerAsync(group, topic, (message, _) =>
        {
            handledBySecond.Enqueue(message.Offset);
            return Task.CompletedTask;
        });

        await KafkaTestBed.WaitUntilAsync(() => handledBySecond.Contains(9), "the next member reached the last record");
        Assert.Equal([6L, 7, 8, 9], handledBySecond);
    }

    [Fact]
    public async Task A_handler_slower_than_max_poll_interval_keeps_its_member_in_the_group()
    {
        await using var bed = new KafkaTestBed(cluster, output, o =>
        {
            o.ConsumerSettings["max.poll.interval.ms"] = "1500";
            o.ConsumerSettings["session.timeout.ms"] = "1500";
            o.ConsumerSettings["heartbeat.interval.ms"] = "300";
        });
        var topic = cluster.CreateTopic("slow", partitions: 1);
        var group = KafkaMockCluster.UniqueName(Group);
        const int records = 20;
        using var metrics = new TransportMetricsCapture(group);
        await bed.Transport.ProduceBatchAsync([.. Enumerable.Range(0, records).Select(i => KafkaTestBed.Message(topic, "sku-1", $"{i}"))]);

        var deliveries = new ConcurrentQueue<long>();
        using var slowStarted = new SemaphoreSlim(0);
        await bed.StartConsumerAsync(group, topic, (message, _) =>
        {
            deliveries.Enqueue(message.Offset);
            if (message.Offset == 0)
            {
                slowStarted.Release();

                // Blocks its thread outright, longer than twice max.poll.interval.ms.
                Thread.Sleep(3500);
            }

            return Task.CompletedTask;
        }, maxBufferedPerPartition: 4);

        Assert.True(await slowStarted.WaitAsync(KafkaTestBed.Patience), "the first record never reached the handler");
        await Task.Delay(1000);
        Assert.Equal(records, metrics.Lag(topic, 0));

        await KafkaTestBed.WaitUntilAsync(() => deliveries.Count >= records, "every record was handled");
        await KafkaTestBed.WaitUntilAsync(() => metrics.Lag(topic, 0) == 0, "the lag gauge came down to zero");
        await Task.Delay(300);

        Assert.Equal(Enumerable.Range(0, records).Select(i => (long)i), deliveries);
        Assert.Equal(1, metrics.Count(KafkaTransportMetrics.Rebalances, KafkaTransportMetrics.RebalanceKinds.Assigned));
        Assert.Equal(0, metrics.Count(KafkaTransportMetrics.Rebalances, KafkaTransportMetrics.RebalanceKinds.Revoked));
        Assert.Equal(0, metrics.Count(KafkaTransportMetrics.Rebalances, KafkaTransportMetrics.RebalanceKinds.Lost));
    }

    [Fact]
    public async Task A_record_whose_handler_throws_is_delivered_again_before_anything_after_it()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        var topic = cluster.CreateTopic("throws", partitions: 1);
        var group = KafkaMockCluster.UniqueName(Group);
        using var metrics = new TransportMetricsCapture(group);
        await bed.Transport.ProduceBatchAsync([.. Enumerable.Range(0, 8).Select(i => KafkaTestBed.Message(topic, "order-7", $"{i}"))]);

        var deliveries = new ConcurrentQueue<long>();
        var failuresLeft = 2;
        await bed.StartConsumerAsync(group, topic, (message, _) =>
        {
            deliveries.Enqueue(message.Offset);
            if (message.Offset == 3 && Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                throw new TimeoutException("the ERP did not answer");
            }

            return Task.CompletedTask;
        });

        await KafkaTestBed.WaitUntilAsync(() => deliveries.Contains(7), "the last record was handled");
        Assert.Equal([0L, 1, 2, 3, 3, 3, 4, 5, 6, 7], deliveries);
        Assert.Equal(2, metrics.Count(KafkaTransportMetrics.Redeliveries));
    }

    [Fact]
    public async Task A_member_joining_takes_over_partitions_without_losing_a_record_or_breaking_key_order()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        var topic = cluster.CreateTopic("handover", partitions: 4);
        var group = KafkaMockCluster.UniqueName(Group);
        using var metrics = new TransportMetricsCapture(group);
        const int keys = 16, perKey = 50;
        var batch = new List<TransportMessage>();
        for (var seq = 0; seq < perKey; seq++)
        {
            for (var key = 0; key < keys; key++)
            {
                batch.Add(KafkaTestBed.Message(topic, $"customer-{key}", $"{seq}"));
            }
        }

        await bed.Transport.ProduceBatchAsync(batch);

        var completed = new ConcurrentQueue<(string Member, string Key, int Seq)>();
        MessageHandler HandlerOf(string member) => async (message, token) =>
        {
            await Task.Delay(member == "first" ? 20 : 1, token);
            completed.Enqueue((member, message.Key!, int.Parse(KafkaTestBed.Text(message), CultureInfo.InvariantCulture)));
        };

        await bed.StartConsumerAsync(group, topic, HandlerOf("first"));
        await KafkaTestBed.WaitUntilAsync(() => completed.Count >= 40, "the first member handled some records");
        await bed.StartConsumerAsync(group, topic, HandlerOf("second"));

        // Counted by distinct record: redeliveries after a refused commit must not end the wait early.
        await KafkaTestBed.WaitUntilAsync(() => completed.Select(c => (c.Key, c.Seq)).Distinct().Count() >= keys * perKey, "every record was handled");
        await Task.Delay(300);

        // Nothing is lost and each key's records were first handled in order. The mock refuses commits while the
        // group rebalances (a real broker takes the revoking member's commit), so records handled just before the
        // handover may be handled again by the new owner: at-least-once, which the inbox above turns into once.
        Assert.Equal(keys * perKey, completed.Select(c => (c.Key, c.Seq)).Distinct().Count());
        foreach (var key in completed.GroupBy(c => c.Key))
        {
            Assert.Equal(Enumerable.Range(0, perKey), key.Select(c => c.Seq).Distinct());
        }

        Assert.Contains(completed, c => c.Member == "second");
        Assert.True(metrics.Count(KafkaTransportMetrics.Rebalances, KafkaTransportMetrics.RebalanceKinds.Revoked) >= 1, "no partition was revoked");
    }

    [Fact]
    public async Task Produce_retries_through_broker_faults_with_an_idempotent_producer_and_loses_nothing_and_keeps_order()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        const int partitions = 4, keys = 20, phases = 4, perPhase = 250;
        var topic = cluster.CreateTopic("faults", partitions);
        var sent = 0;
        List<TransportMessage> NextPhase() => [.. Enumerable.Range(0, perPhase).Select(_ =>
        {
            var n = sent++;
            return KafkaTestBed.Message(topic, $"sku-{n % keys}", $"{n}");
        })];

        cluster.StartRequestTracking();
        try
        {
            cluster.PushRequestErrors(KafkaApiKey.Produce,
                ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut, ErrorCode.Local_Transport,
                ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.LeaderNotAvailable, ErrorCode.NotLeaderForPartition);
            await bed.Transport.ProduceBatchAsync(NextPhase());

            cluster.SetBrokerDown(2);
            var whileDown = bed.Transport.ProduceBatchAsync(NextPhase());
            await Task.Delay(1000);
            cluster.SetBrokerUp(2);
            await whileDown;

            var whileLeadersMove = bed.Transport.ProduceBatchAsync(NextPhase());
            for (var partition = 0; partition < partitions; partition++)
            {
                cluster.SetPartitionLeader(topic, partition, partition % KafkaMockCluster.BrokerCount + 1);
            }

            await whileLeadersMove;

            cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.Local_Transport, ErrorCode.NotEnoughReplicas);
            await Task.WhenAll(NextPhase().Select(message => bed.Transport.ProduceAsync(message)));

            // An idempotent producer first asks for a producer id; its sequence numbers are what let a real broker
            // drop a batch resent after a lost response (this mock does that for transactional producers only).
            Assert.True(cluster.CountRequests(KafkaApiKey.InitProducerId) >= 1, "the producer never asked for a producer id: it is not idempotent");
        }
        finally
        {
            cluster.StopRequestTracking();
        }

        var records = bed.ReadTopic(topic, partitions);
        static int Sequence(ConsumeResult<string, byte[]> record) => int.Parse(Encoding.UTF8.GetString(record.Message.Value), CultureInfo.InvariantCulture);
        // Nothing is lost. A batch resent after a lost response may appear twice here: the mock drops resends only for
        // transactional producers, while a real broker drops them by the producer id and sequence asserted above.
        Assert.Equal(Enumerable.Range(0, phases * perPhase), records.Select(Sequence).Distinct().Order());

        // The last phase was produced record by record concurrently, so order is checked for the batches only.
        foreach (var key in records.Where(r => Sequence(r) < (phases - 1) * perPhase).GroupBy(r => r.Message.Key))
        {
            var sequence = key.OrderBy(r => r.Offset.Value).Select(Sequence).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }
    }

    [Fact]
    public async Task Headers_key_value_and_envelope_survive_the_round_trip()
    {
        await using var bed = new KafkaTestBed(cluster, output);
        var topic = cluster.CreateTopic("headers", partitions: 2);
        var envelope = new EventEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            Type = "platform.customer.v1.CustomerChanged",
            Source = "/platform/customer",
            Key = "customer-Zoë-42",
            Time = new DateTimeOffset(2026, 11, 22, 10, 30, 15, 123, TimeSpan.Zero),
            Data = new byte[] { 0, 1, 2, 250, 255 },
            TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            Extensions = new Dictionary<string, string>
            {
                [EventHeaders.FailureReason] = "Größe ✓ ünïcode",
                ["x-empty"] = "",
            },
        };

        var received = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await bed.StartConsumerAsync(KafkaMockCluster.UniqueName(Group), topic, (message, _) =>
        {
            received.TrySetResult(message);
            return Task.CompletedTask;
        });

        var before = DateTimeOffset.UtcNow;
        await bed.Transport.ProduceAsync(EventCodec.ToTransport(topic, envelope));
        var message = await received.Task.WaitAsync(KafkaTestBed.Patience);

        Assert.Equal(topic, message.Topic);
        Assert.Equal(envelope.Key, message.Key);
        Assert.Equal(0, message.Offset);
        Assert.Equal("Größe ✓ ünïcode", message.Headers[EventHeaders.FailureReason]);
        Assert.Equal("", message.Headers["x-empty"]);
        Assert.InRange(message.Timestamp, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

        var decoded = EventCodec.FromTransport(message);
        Assert.Equal(envelope.Id, decoded.Id);
        Assert.Equal(envelope.Type, decoded.Type);
        Assert.Equal(envelope.Source, decoded.Source);
        Assert.Equal(envelope.Key, decoded.Key);
        Assert.Equal(envelope.Time, decoded.Time);
        Assert.Equal(envelope.TraceParent, decoded.TraceParent);
        Assert.Equal(envelope.Data.ToArray(), decoded.Data.ToArray());
        Assert.Equal(envelope.Extensions.OrderBy(e => e.Key), decoded.Extensions.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task A_failed_record_fails_the_batch_after_the_others_are_settled()
    {
        await using var bed = new KafkaTestBed(cluster, output, o => o.ProducerSettings["message.max.bytes"] = "2000");
        var topic = cluster.CreateTopic("too-large", partitions: 1);
        TransportMessage[] batch =
        [
            KafkaTestBed.Message(topic, "a", "fits"),
            KafkaTestBed.Message(topic, "b", new string('x', 5000)),
        ];

        var failure = await Assert.ThrowsAsync<ProduceBatchException>(() => bed.Transport.ProduceBatchAsync(batch));
        Assert.Equal(1, failure.Failed);
        Assert.Equal(2, failure.Total);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, Assert.Single(failure.Failures).Error.Code);
        Assert.Equal("fits", Encoding.UTF8.GetString(Assert.Single(bed.ReadTopic(topic, 1)).Message.Value));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
