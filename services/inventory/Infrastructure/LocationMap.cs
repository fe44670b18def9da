using Microsoft.Extensions.Options;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Source warehouse codes to platform locations (the storefront's source codes), through the reference cache: every
/// replica resolves a code the same way, and a changed mapping reaches all of them by invalidation.
/// </summary>
public sealed class LocationMap : IDisposable
{
    public const string Category = "inventory-locations";
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(10);

    private readonly IReferenceCache _cache;
    private readonly IOptionsMonitor<InventoryOptions> _options;
    private readonly IDisposable? _subscription;

    public LocationMap(IReferenceCache cache, IOptionsMonitor<InventoryOptions> options)
    {
        _cache = cache;
        _options = options;
        _subscription = options.OnChange(changed => { _ = cache.InvalidateCategoryAsync(Category); });
    }

    /// <summary>The platform location of a source's warehouse code; null when the deployment does not map it.</summary>
    public async Task<string?> ResolveAsync(string source, string sourceLocation, CancellationToken cancellationToken)
    {
        var entry = await _cache.GetOrLoadAsync(Category, source + "/" + sourceLocation, _ =>
        {
            var mapping = _options.CurrentValue.Locations.FirstOrDefault(m =>
                string.Equals(m.Source, source, StringComparison.Ordinal) && string.Equals(m.SourceLocation, sourceLocation, StringComparison.Ordinal));
            return Task.FromResult(mapping is null ? null : new MappedLocation(mapping.Location));
        }, TimeToLive, cancellationToken);
        return entry?.Location;
    }

    public void Dispose() => _subscription?.Dispose();

    public sealed record MappedLocation(string Location);
}
