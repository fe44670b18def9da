namespace Platform.State;

/// <summary>
/// Cache-aside for reference data (id and location mappings, ownership policies, attribute mappings,
/// carrier codes). Entries expire after a TTL; an invalidation reaches every instance of the service.
/// </summary>
public interface IReferenceCache
{
    /// <summary>Returns the cached value or loads, stores and returns it. A null load is not cached.</summary>
    Task<T?> GetOrLoadAsync<T>(string category, string key, Func<CancellationToken, Task<T?>> loader, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class;

    /// <summary>Stores a value without loading (e.g. right after the owner changed it).</summary>
    Task SetAsync<T>(string category, string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class;

    /// <summary>Drops one entry here and on every other instance.</summary>
    Task InvalidateAsync(string category, string key, CancellationToken cancellationToken = default);

    /// <summary>Drops a whole category here and on every other instance.</summary>
    Task InvalidateCategoryAsync(string category, CancellationToken cancellationToken = default);
}
