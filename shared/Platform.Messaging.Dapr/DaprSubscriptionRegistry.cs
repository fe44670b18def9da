namespace Platform.Messaging.Dapr;

/// <summary>
/// Which topics this app subscribes to and which consumer currently handles each. The sidecar asks for the list
/// once (GET /dapr/subscribe, the first time the app is reachable and healthy) and keeps it for its whole life, so
/// a consumer for a topic missing from that answer would never receive anything: it is refused at start instead.
/// </summary>
internal sealed class DaprSubscriptionRegistry
{
    private readonly Lock _gate = new();
    private readonly List<string> _declared = [];
    private readonly Dictionary<string, DaprConsumer> _running = new(StringComparer.Ordinal);
    private HashSet<string>? _announced;
    private DateTimeOffset _announcedAt;

    public bool HasRunning
    {
        get
        {
            lock (_gate)
            {
                return _running.Count > 0;
            }
        }
    }

    public void Declare(IEnumerable<string> topics)
    {
        lock (_gate)
        {
            foreach (var topic in topics)
            {
                if (!_declared.Contains(topic, StringComparer.Ordinal))
                {
                    _declared.Add(topic);
                }
            }
        }
    }

    /// <summary>Answers the sidecar's question and remembers what it was told.</summary>
    public IReadOnlyList<string> Announce(DateTimeOffset now)
    {
        lock (_gate)
        {
            _announced = new HashSet<string>(_declared, StringComparer.Ordinal);
            _announcedAt = now;
            return [.. _declared];
        }
    }

    public void Activate(DaprConsumer consumer)
    {
        lock (_gate)
        {
            if (_announced is not null)
            {
                var missing = consumer.Topics.Where(topic => !_announced.Contains(topic)).ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"Consumer group '{consumer.GroupId}' subscribes to {string.Join(", ", missing)}, which the Dapr sidecar was not told about when " +
                        $"it read this app's subscriptions at {_announcedAt:O}. The sidecar reads them once per start: create every consumer before " +
                        "the app answers the sidecar (hosted services do), or restart the pod.");
                }
            }

            foreach (var topic in consumer.Topics)
            {
                if (_running.TryGetValue(topic, out var other) && other != consumer)
                {
                    throw new InvalidOperationException(
                        $"Topic '{topic}' is already consumed by group '{other.GroupId}' in this app. Dapr delivers a topic once per app id " +
                        "(the component's consumer group), so one app cannot run two consumers of the same topic.");
                }
            }

            foreach (var topic in consumer.Topics)
            {
                _running[topic] = consumer;
            }
        }
    }

    public void Deactivate(DaprConsumer consumer)
    {
        lock (_gate)
        {
            foreach (var topic in consumer.Topics)
            {
                if (_running.TryGetValue(topic, out var current) && current == consumer)
                {
                    _running.Remove(topic);
                }
            }
        }
    }

    public DaprConsumer? Find(string topic)
    {
        lock (_gate)
        {
            return _running.GetValueOrDefault(topic);
        }
    }

    public IReadOnlyList<DaprConsumer> Running()
    {
        lock (_gate)
        {
            return _running.Values.Distinct().ToList();
        }
    }
}
