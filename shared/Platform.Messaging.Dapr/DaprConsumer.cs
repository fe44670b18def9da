using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging.Dapr;

/// <summary>What the app answers the sidecar for one delivery (Dapr's documented subscriber statuses).</summary>
public enum DaprDeliveryStatus
{
    /// <summary>The handler returned: the component marks the record and moves to the next one of its partition.</summary>
    Success,

    /// <summary>Not handled (no running consumer, the handler threw, or the consumer stopped): delivered again after a pause.</summary>
    Retry,
}

/// <summary>
/// One consumer group member of this app. Dapr pushes the records, so "joining" means accepting deliveries for the
/// group's topics and "committing" means answering SUCCESS: the Kafka component marks a record's offset only
/// then, and hands out the next record of a partition only after the previous one was answered.
/// </summary>
internal sealed class DaprConsumer(
    DaprSubscriptionRegistry registry,
    PartitionGates gates,
    ConsumerSettings settings,
    MessageHandler handler,
    TimeSpan stopTimeout,
    ILogger logger) : IMessageConsumer
{
    private static readonly TimeSpan AbortUnwindTimeout = TimeSpan.FromSeconds(10);
    private const int New = 0, Running = 1, Stopping = 2, Stopped = 3;

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _abort = new();
    private int _state;
    private int _inFlight;
    private TaskCompletionSource? _idle;

    public string GroupId => settings.GroupId;
    public IReadOnlyList<string> Topics => settings.Topics;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != New)
            {
                throw new InvalidOperationException($"Consumer of group '{GroupId}' was already started.");
            }

            registry.Activate(this);
            _state = Running;
        }

        logger.LogInformation("Consumer group {Group} takes Dapr deliveries of {Topics}", GroupId, string.Join(", ", Topics));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!TryLeaveRunning())
        {
            return;
        }

        // New deliveries are answered RETRY from here on; the sidecar keeps them until a consumer takes the topic again.
        var idle = WhenIdle();
        var finished = await Task.WhenAny(idle, Task.Delay(stopTimeout, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
        if (finished != idle)
        {
            logger.LogWarning("Handlers of group {Group} did not finish within {Timeout}; cancelling them, their records will be delivered again", GroupId, stopTimeout);
            await _abort.CancelAsync();
            await Task.WhenAny(idle, Task.Delay(AbortUnwindTimeout, CancellationToken.None));
        }

        Leave();
    }

    public async Task AbortAsync()
    {
        if (!TryLeaveRunning())
        {
            return;
        }

        // A crash: in-flight handlers are cancelled and their deliveries answered RETRY, whatever they did.
        await _abort.CancelAsync();
        await Task.WhenAny(WhenIdle(), Task.Delay(AbortUnwindTimeout, CancellationToken.None));
        Leave();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _abort.Dispose();
    }

    public async Task<DaprDeliveryStatus> DeliverAsync(ReceivedMessage record, string orderingKey, CancellationToken requestAborted)
    {
        if (!TryEnter())
        {
            return DaprDeliveryStatus.Retry;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, requestAborted);
            var partition = gates.For(orderingKey);
            try
            {
                // The component already sends one record per partition at a time; the gate keeps that promise to
                // the handler even across a consumer that was aborted and one that replaced it.
                await partition.WaitAsync(linked.Token);
                try
                {
                    await handler(record, linked.Token);
                }
                finally
                {
                    partition.Release();
                }
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                return DaprDeliveryStatus.Retry;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Handler of group {Group} failed on {Topic}[{Partition}]@{Offset}; answering RETRY so the sidecar delivers it again",
                    GroupId, record.Topic, record.Partition, record.Offset);
                return DaprDeliveryStatus.Retry;
            }

            return _abort.IsCancellationRequested ? DaprDeliveryStatus.Retry : DaprDeliveryStatus.Success;
        }
        finally
        {
            Exit();
        }
    }

    private bool TryLeaveRunning()
    {
        lock (_gate)
        {
            if (_state != Running)
            {
                return false;
            }

            _state = Stopping;
            return true;
        }
    }

    private void Leave()
    {
        registry.Deactivate(this);
        lock (_gate)
        {
            _state = Stopped;
        }

        logger.LogInformation("Consumer group {Group} no longer takes Dapr deliveries", GroupId);
    }

    private bool TryEnter()
    {
        lock (_gate)
        {
            if (_state != Running)
            {
                return false;
            }

            _inFlight++;
            return true;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                _idle?.TrySetResult();
            }
        }
    }

    private Task WhenIdle()
    {
        lock (_gate)
        {
            if (_inFlight == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }
}

/// <summary>One gate per partition (or per key where the component reports no partition), shared by the transport's consumers.</summary>
internal sealed class PartitionGates
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    public SemaphoreSlim For(string orderingKey) => _gates.GetOrAdd(orderingKey, _ => new SemaphoreSlim(1, 1));
}
