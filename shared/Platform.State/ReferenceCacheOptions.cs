namespace Platform.State;

public sealed class ReferenceCacheOptions
{
    /// <summary>Used when a caller passes no time to live. Reference data changes rarely and is invalidated on change.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromMinutes(5);

    internal static TimeSpan Resolve(TimeSpan? requested, ReferenceCacheOptions options)
    {
        var ttl = requested ?? options.DefaultTimeToLive;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(requested));
        return ttl;
    }

    // Categories are part of the storage key (category:key); a ':' in one would let two entries collide.
    internal static void ValidateCategory(string category)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        if (category.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Reference-cache category '{category}' must not contain ':'.", nameof(category));
        }
    }
}
