namespace Platform.Inventory.Infrastructure;

/// <summary>
/// One writer per SKU at a time within this replica. Orders for one SKU arrive on every partition; without this they
/// would race on the SKU's ETag inside one process, retry, and lose the aggregate kept from the last write.
/// Replicas still meet on the ETag.
/// </summary>
public sealed class SkuLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Takes the SKUs in one order (ordinal), so two writers wanting overlapping SKUs cannot deadlock.</summary>
    public async Task<IDisposable> AcquireAsync(IEnumerable<string> skus, CancellationToken cancellationToken)
    {
        var held = new Held(this);
        try
        {
            foreach (var sku in skus.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var entry = Enter(sku);
                try
                {
                    await entry.Gate.WaitAsync(cancellationToken);
                }
                catch
                {
                    Leave(sku, entry, release: false);
                    throw;
                }

                held.Add(sku, entry);
            }

            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private Entry Enter(string sku)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(sku, out var entry))
            {
                _entries[sku] = entry = new Entry();
            }

            entry.Users++;
            return entry;
        }
    }

    private void Leave(string sku, Entry entry, bool release)
    {
        if (release)
        {
            entry.Gate.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(sku);
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users { get; set; }
    }

    private sealed class Held(SkuLocks owner) : IDisposable
    {
        private readonly List<(string Sku, Entry Entry)> _held = [];

        public void Add(string sku, Entry entry) => _held.Add((sku, entry));

        public void Dispose()
        {
            foreach (var (sku, entry) in _held)
            {
                owner.Leave(sku, entry, release: true);
            }

            _held.Clear();
        }
    }
}
