using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Platform.Sandbox.Faults;

namespace Platform.Sandbox;

/// <summary>
/// What the simulated systems saw, for tests and load runs to read. Two kinds:
/// request counters the sandbox middleware records per system and operation (requests, responses by status, injected
/// faults by kind), and named counters the simulated endpoints record for business facts, optionally per item, e.g.
/// <c>Increment("erp.orders.received", orderId)</c> to prove how many times the ERP received each order.
/// </summary>
public sealed class SandboxCounters
{
    public const string AbortedOutcome = "aborted";

    private readonly ConcurrentDictionary<(string System, string Operation, string Metric), StrongBox<long>> _requests = new();
    private readonly ConcurrentDictionary<(string Name, string Item), StrongBox<long>> _named = new();

    public void RecordRequest(string system, string operation) => Add(_requests, (system, operation, "requests"), 1);

    public void RecordResponse(string system, string operation, int status) =>
        Add(_requests, (system, operation, "responses." + status.ToString(CultureInfo.InvariantCulture)), 1);

    /// <summary>The client went away before the response was complete (its own timeout, most often).</summary>
    public void RecordAborted(string system, string operation) => Add(_requests, (system, operation, "responses." + AbortedOutcome), 1);

    public void RecordFault(string system, string operation, string kind) => Add(_requests, (system, operation, "faults." + kind), 1);

    /// <returns>The counter's value after the increment.</returns>
    public long Increment(string name, string? item = null, long by = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Add(_named, (name, item ?? string.Empty), by);
    }

    /// <summary>The count of one item, or with no item the total over all items of the counter.</summary>
    public long Get(string name, string? item = null) => item is null
        ? _named.Where(pair => pair.Key.Name == name).Sum(pair => Interlocked.Read(ref pair.Value.Value))
        : _named.TryGetValue((name, item), out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>One request counter of a system summed over its operations, e.g. <c>("magento", "responses.200")</c>.</summary>
    public long GetSystem(string system, string metric) => _requests
        .Where(pair => pair.Key.System == system && pair.Key.Metric == metric)
        .Sum(pair => Interlocked.Read(ref pair.Value.Value));

    public void Reset()
    {
        _requests.Clear();
        _named.Clear();
    }

    /// <param name="names">Only these named counters, and no request counters: what a poll during a load run needs.</param>
    public CountersSnapshot Snapshot(IReadOnlyCollection<string>? names = null)
    {
        var systems = new SortedDictionary<string, SystemCounters>(StringComparer.Ordinal);
        foreach (var ((system, operation, metric), box) in names is null ? _requests : [])
        {
            var value = Interlocked.Read(ref box.Value);
            if (!systems.TryGetValue(system, out var systemCounters))
            {
                systems[system] = systemCounters = new SystemCounters();
            }

            if (!systemCounters.Operations.TryGetValue(operation, out var operationCounters))
            {
                systemCounters.Operations[operation] = operationCounters = new RequestCounters();
            }

            systemCounters.Add(metric, value);
            operationCounters.Add(metric, value);
        }

        var named = new SortedDictionary<string, NamedCounter>(StringComparer.Ordinal);
        foreach (var ((name, item), box) in _named)
        {
            if (names is not null && !names.Contains(name))
            {
                continue;
            }

            var value = Interlocked.Read(ref box.Value);
            if (!named.TryGetValue(name, out var counter))
            {
                named[name] = counter = new NamedCounter();
            }

            counter.Total += value;
            if (item.Length > 0)
            {
                counter.Items[item] = value;
            }
        }

        return new CountersSnapshot(systems, named);
    }

    private static long Add<TKey>(ConcurrentDictionary<TKey, StrongBox<long>> counters, TKey key, long by)
        where TKey : notnull =>
        Interlocked.Add(ref counters.GetOrAdd(key, static _ => new StrongBox<long>()).Value, by);

    internal static string FaultKindName(FaultKind kind) => kind switch
    {
        FaultKind.Error => "error",
        FaultKind.Throttle => "throttle",
        FaultKind.Timeout => "timeout",
        FaultKind.LostResponse => "lost_response",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

public sealed record CountersSnapshot(
    SortedDictionary<string, SystemCounters> Systems,
    SortedDictionary<string, NamedCounter> Counters);

public class RequestCounters
{
    public long Requests { get; set; }
    public SortedDictionary<string, long> Responses { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, long> Faults { get; } = new(StringComparer.Ordinal);

    internal void Add(string metric, long value)
    {
        if (metric == "requests")
        {
            Requests += value;
        }
        else if (metric.StartsWith("responses.", StringComparison.Ordinal))
        {
            Responses[metric["responses.".Length..]] = Responses.GetValueOrDefault(metric["responses.".Length..]) + value;
        }
        else if (metric.StartsWith("faults.", StringComparison.Ordinal))
        {
            Faults[metric["faults.".Length..]] = Faults.GetValueOrDefault(metric["faults.".Length..]) + value;
        }
    }
}

public sealed class SystemCounters : RequestCounters
{
    /// <summary>By operation: the HTTP method and the route below the system prefix, or <c>unmatched</c>.</summary>
    public SortedDictionary<string, RequestCounters> Operations { get; } = new(StringComparer.Ordinal);
}

public sealed class NamedCounter
{
    public long Total { get; set; }
    public SortedDictionary<string, long> Items { get; } = new(StringComparer.Ordinal);
}
