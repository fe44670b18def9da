namespace Platform.Connectors.Magento;

public interface IMagentoClient
{
    // Orders with updated_at >= since, oldest change first (ties by entity_id). One page; currentPage is
    // 1-based. Past the last page Magento answers with the last page again: stop by TotalCount.
    Task<MagentoOrderPage> ListOrdersUpdatedSinceAsync(
        string storeCode, DateTimeOffset since, int pageSize, int currentPage, CancellationToken cancellationToken = default);

    // Orders with from <= created_at < to, by entity_id: half-open, so adjacent reconciliation windows
    // never count one order twice.
    Task<MagentoOrderPage> ListOrdersCreatedBetweenAsync(
        string storeCode, DateTimeOffset from, DateTimeOffset to, int pageSize, int currentPage, CancellationToken cancellationToken = default);

    // Every order changed since the given time, page by page. Not plain offset paging: an order updated
    // while the pages are read moves to the end of the sort and would shift the next page by one, so an
    // unchanged order would be skipped. Each page is instead read from the last updated_at seen, and
    // orders already returned at that same second are left out. An order changed again while reading is
    // returned again with its new updated_at.
    IAsyncEnumerable<MagentoOrderPage> EnumerateOrdersUpdatedSinceAsync(
        string storeCode, DateTimeOffset since, int pageSize = 100, CancellationToken cancellationToken = default);

    IAsyncEnumerable<MagentoOrderPage> EnumerateOrdersCreatedBetweenAsync(
        string storeCode, DateTimeOffset from, DateTimeOffset to, int pageSize = 100, CancellationToken cancellationToken = default);

    // Null when Magento does not know the order (404).
    Task<MagentoOrder?> GetOrderAsync(string storeCode, long entityId, CancellationToken cancellationToken = default);
}
