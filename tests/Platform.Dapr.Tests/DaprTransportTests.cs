using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Platform.Dapr.Tests.Sidecar;
using Platform.Messaging;
using Platform.Messaging.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>What the Dapr bus adapter does beyond the port's contract: the wire format through the sidecar and the app's side of deliveries.</summary>
public sealed class DaprTransportTests : IAsyncLifetime
{
    private static readonly byte[] Payload = [8, 150, 1, 0, 255, 10];
    private DaprPod _pod = null!;

    public async Task InitializeAsync() => _pod = await DaprPod.StartAsync();

    public async Task DisposeAsync() => await _pod.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static Dictionary<string, string> TrickyHeaders() => new(StringComparer.Ordinal)
    {
        [EventHeaders.SpecVersion] = "1.0",
        [EventHeaders.Id] = "e-42",
        [EventHeaders.Type] = "platform.order.v1.OrderPlaced",
        [EventHeaders.ContentType] = "application/protobuf",
        [EventHeaders.TraceParent] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        [EventHeaders.TraceState] = "vendor=a b",
        [EventHeaders.FailureReason] = "ERP said: line one\nzweite Zeile: Größe 100%+ {\"json\": true}",
        ["ce_tenant"] = "",
    };

    [Fact]
    public async Task A_record_is_published_as_raw_payload_with_its_headers_as_metadata_and_its_key_as_partition_key()
    {
        var topic = Unique("published");
        var headers = TrickyHeaders();

        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "sku-1", headers, Payload));

        var publish = Assert.Single(_pod.Sidecar.Api.Publishes);
        Assert.Equal(("pubsub", topic, "application/protobuf"), (publish.PubsubName, publish.Topic, publish.DataContentType));
        Assert.Equal("true", publish.Metadata[DaprRecordHeaders.RawPayload]);
        Assert.Equal("sku-1", publish.Metadata[DaprRecordHeaders.PartitionKey]);
        Assert.All(headers, header => Assert.Equal(header.Value, publish.Metadata[header.Key]));
        Assert.Equal(headers[EventHeaders.TraceParent], publish.Metadata[DaprRecordHeaders.TraceParentCopy]);
        Assert.Equal(headers[EventHeaders.ContentType], publish.Metadata[DaprRecordHeaders.ContentTypeCopy]);
        var record = Assert.Single(_pod.Sidecar.PubSub("pubsub").ReadAll(topic));
        Assert.Equal("sku-1", record.Key);
        Assert.Equal(Payload, record.Value);
        Assert.Equal(headers[EventHeaders.Id], record.Headers[EventHeaders.Id]);
    }

    [Fact]
    public async Task Headers_key_and_position_survive_delivery_through_escaping_and_the_sidecars_own_content_type_and_trace()
    {
        var topic = Unique("delivered");
        var received = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = _pod.Transport.CreateConsumer(new ConsumerSettings("readers", [topic]), (message, _) =>
        {
            received.TrySetResult(message);
            return Task.CompletedTask;
        });
        await consumer.StartAsync();
        var headers = TrickyHeaders();
        var sent = new Dictionary<string, string>(headers) { ["x-custom"] = "not carried" };

        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "sku 1/ü+", sent, Payload));

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var record = Assert.Single(_pod.Sidecar.PubSub("pubsub").ReadAll(topic));
        // Only CloudEvents and platform headers can be told apart from what the sidecar adds: x-custom stays behind.
        Assert.Equal(headers.OrderBy(pair => pair.Key, StringComparer.Ordinal), message.Headers.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        Assert.Equal(("sku 1/ü+", record.Partition, record.Offset), (message.Key, message.Partition, message.Offset));
        Assert.Equal(record.Timestamp.ToUnixTimeMilliseconds(), message.Timestamp.ToUnixTimeMilliseconds());
        Assert.Equal(Payload, message.Value.ToArray());
        await consumer.StopAsync();
    }

    [Fact]
    public async Task A_consumer_of_a_topic_the_sidecar_was_not_told_about_is_refused_at_start()
    {
        var announced = Unique("announced");
        var late = Unique("late");
        var first = _pod.Transport.CreateConsumer(new ConsumerSettings("early", [announced]), (_, _) => Task.CompletedTask);
        await first.StartAsync();
        await Wait.UntilAsync(() => _pod.Sidecar.App.SubscriptionReads == 1, "the sidecar read the app's subscriptions");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _pod.Transport.CreateConsumer(new ConsumerSettings("late", [late]), (_, _) => Task.CompletedTask).StartAsync());

        Assert.Contains(late, refused.Message, StringComparison.Ordinal);
        await first.StopAsync();
        var replacement = _pod.Transport.CreateConsumer(new ConsumerSettings("early", [announced]), (_, _) => Task.CompletedTask);
        await replacement.StartAsync();
        await replacement.StopAsync();
    }

    [Fact]
    public async Task One_app_cannot_run_two_consumers_of_one_topic()
    {
        var topic = Unique("shared");
        var first = _pod.Transport.CreateConsumer(new ConsumerSettings("inventory", [topic]), (_, _) => Task.CompletedTask);
        await first.StartAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _pod.Transport.CreateConsumer(new ConsumerSettings("audit", [topic]), (_, _) => Task.CompletedTask).StartAsync());

        Assert.Contains("inventory", refused.Message, StringComparison.Ordinal);
        await first.StopAsync();
    }

    [Fact]
    public async Task Stopping_lets_the_handler_in_hand_finish_and_commit_while_later_records_wait_for_the_next_consumer()
    {
        var topic = Unique("stopping");
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var handled = new ConcurrentQueue<string>();
        var consumer = _pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), async (message, _) =>
        {
            var value = Encoding.UTF8.GetString(message.Value.Span);
            if (value == "slow")
            {
                entered.Release();
                await release.WaitAsync(CancellationToken.None);
            }

            handled.Enqueue(value);
        });
        await consumer.StartAsync();
        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "order-1", new Dictionary<string, string>(), "slow"u8.ToArray()));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(15)), "the handler never received the first record");

        var stopping = consumer.StopAsync();
        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "order-1", new Dictionary<string, string>(), "after"u8.ToArray()));
        Assert.False(stopping.IsCompleted);
        release.Release();
        await stopping.WaitAsync(TimeSpan.FromSeconds(15));

        var partition = _pod.Sidecar.PubSub("pubsub").ReadAll(topic)[0].Partition;
        await Wait.UntilAsync(() => _pod.Sidecar.App.Committed("pubsub", topic, partition) == 1, "the finished record was committed");
        await Task.Delay(300);
        Assert.Equal(1, _pod.Sidecar.App.Committed("pubsub", topic, partition));
        Assert.Equal(["slow"], handled);

        var next = _pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), (message, _) =>
        {
            handled.Enqueue(Encoding.UTF8.GetString(message.Value.Span));
            return Task.CompletedTask;
        });
        await next.StartAsync();
        await Wait.UntilAsync(() => _pod.Sidecar.App.Committed("pubsub", topic, partition) == 2, "the waiting record was handled by the next consumer");
        Assert.Equal(["slow", "after"], handled);
        await next.StopAsync();
    }

    [Fact]
    public async Task After_an_abort_nothing_is_committed_even_by_a_handler_that_finishes_anyway()
    {
        var topic = Unique("aborted");
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var deliveries = 0;
        var consumer = _pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), async (_, _) =>
        {
            if (Interlocked.Increment(ref deliveries) == 1)
            {
                entered.Release();
                // Ignores cancellation, as a handler stuck in a call without a deadline would.
                await release.WaitAsync(CancellationToken.None);
            }
        });
        await consumer.StartAsync();
        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "order-1", new Dictionary<string, string>(), "v"u8.ToArray()));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(15)), "the handler never received the record");

        var aborting = consumer.AbortAsync();
        release.Release();
        await aborting.WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(300);

        var partition = _pod.Sidecar.PubSub("pubsub").ReadAll(topic)[0].Partition;
        Assert.Equal(0, _pod.Sidecar.App.Committed("pubsub", topic, partition));
        var next = _pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), (_, _) =>
        {
            Interlocked.Increment(ref deliveries);
            return Task.CompletedTask;
        });
        await next.StartAsync();
        await Wait.UntilAsync(() => _pod.Sidecar.App.Committed("pubsub", topic, partition) == 1, "the next consumer handled the record again");
        Assert.Equal(2, Volatile.Read(ref deliveries));
        await next.StopAsync();
    }

    [Fact]
    public async Task A_handler_that_throws_is_answered_retry_and_gets_the_same_record_again()
    {
        var topic = Unique("failing");
        var attempts = new ConcurrentQueue<long>();
        var consumer = _pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), (message, _) =>
        {
            attempts.Enqueue(message.Offset);
            return attempts.Count == 1 ? throw new InvalidOperationException("ERP answered 503") : Task.CompletedTask;
        });
        await consumer.StartAsync();
        await _pod.Transport.ProduceAsync(new TransportMessage(topic, "order-1", new Dictionary<string, string>(), "v"u8.ToArray()));

        var partition = 0;
        await Wait.UntilAsync(() =>
        {
            var records = _pod.Sidecar.PubSub("pubsub").ReadAll(topic);
            partition = records.Count == 1 ? records[0].Partition : -1;
            return partition >= 0 && _pod.Sidecar.App.Committed("pubsub", topic, partition) == 1;
        }, "the record was committed after its retry");

        Assert.Equal([0L, 0L], attempts);
        await consumer.StopAsync();
    }

    [Fact]
    public async Task A_batch_keeps_the_order_of_each_key()
    {
        var topic = Unique("batch");
        var messages = Enumerable.Range(0, 10)
            .SelectMany(seq => new[] { "a", "b", "c" }.Select(key => new TransportMessage(topic, key, new Dictionary<string, string>(), Encoding.UTF8.GetBytes($"{key}|{seq}"))))
            .ToList();

        await _pod.Transport.ProduceBatchAsync(messages);

        var records = _pod.Sidecar.PubSub("pubsub").ReadAll(topic);
        Assert.Equal(30, records.Count);
        foreach (var key in records.GroupBy(record => record.Key))
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(seq => $"{key.Key}|{seq}"), key.OrderBy(record => record.Offset).Select(record => Encoding.UTF8.GetString(record.Value)));
        }
    }

    [Fact]
    public async Task With_an_app_api_token_the_sidecar_gets_through_and_nobody_else_does()
    {
        const string token = "app-token-for-tests";
        await using var pod = await DaprPod.StartAsync(new DaprSidecarDoubleOptions { AppApiToken = token }, new DaprTransportOptions { AppApiToken = token });
        var topic = Unique("guarded");
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = pod.Transport.CreateConsumer(new ConsumerSettings("orders", [topic]), (_, _) =>
        {
            received.TrySetResult();
            return Task.CompletedTask;
        });
        await consumer.StartAsync();

        await pod.Transport.ProduceAsync(new TransportMessage(topic, "k", new Dictionary<string, string>(), "v"u8.ToArray()));
        await received.Task.WaitAsync(TimeSpan.FromSeconds(15));

        using var stranger = new HttpClient { BaseAddress = pod.App.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(DaprSubscriptionEndpoint.SubscribePath)).StatusCode);
        using var forged = new ByteArrayContent("{}"u8.ToArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync(pod.Transport.Subscriptions.RouteFor(topic), forged)).StatusCode);
        await consumer.StopAsync();
    }
}
