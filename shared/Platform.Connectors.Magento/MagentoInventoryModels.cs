namespace Platform.Connectors.Magento;

// Magento MSI's source item status: 1 in stock, 0 out of stock (the numbers are what goes on the wire).
public enum MagentoSourceItemStatus
{
    OutOfStock = 0,
    InStock = 1,
}

// One SKU's stock at one Magento source (source_code is Magento's, not an ERP warehouse code).
// Quantity is a decimal: products sold by weight or length keep fractions.
public sealed record MagentoSourceItem(string Sku, string SourceCode, decimal Quantity, MagentoSourceItemStatus Status);

public sealed record MagentoSourceItemPage(IReadOnlyList<MagentoSourceItem> Items, int TotalCount, int CurrentPage, int PageSize);

public enum MagentoBulkRequestItemStatus
{
    Accepted,
    Rejected,
}

// Id is the index of the request in the array that was posted.
public sealed record MagentoBulkRequestItem(
    int Id, MagentoBulkRequestItemStatus Status, string? DataHash, string? ErrorMessage, long? ErrorCode);

// Magento's answer to an async bulk request: one operation was scheduled per accepted request item. A
// request Magento could not schedule is reported here as rejected (and Errors is true) while the others go
// ahead, so a caller must look at Rejected even when the call succeeded.
public sealed record MagentoBulkAccepted(string BulkUuid, IReadOnlyList<MagentoBulkRequestItem> RequestItems, bool Errors)
{
    public IReadOnlyList<MagentoBulkRequestItem> Accepted =>
        RequestItems.Where(i => i.Status == MagentoBulkRequestItemStatus.Accepted).ToList();

    public IReadOnlyList<MagentoBulkRequestItem> Rejected =>
        RequestItems.Where(i => i.Status == MagentoBulkRequestItemStatus.Rejected).ToList();
}

// The numbers Magento uses in operations_list[].status.
public enum MagentoBulkOperationStatus
{
    Complete = 1,
    RetriablyFailed = 2,
    NotRetriablyFailed = 3,
    Open = 4,
    Rejected = 5,
}

// Id is Magento's own operation id, not the index of the request that created it.
public sealed record MagentoBulkOperation(long Id, MagentoBulkOperationStatus Status, string? ResultMessage, long? ErrorCode)
{
    public bool IsFailed => Status is MagentoBulkOperationStatus.RetriablyFailed
        or MagentoBulkOperationStatus.NotRetriablyFailed or MagentoBulkOperationStatus.Rejected;
}

public sealed record MagentoBulkStatus(
    string BulkUuid, string? Description, int OperationCount, IReadOnlyList<MagentoBulkOperation> Operations)
{
    // Some Magento versions list an operation only once a consumer has picked it up, so an operation that
    // is not listed yet counts as open.
    public bool IsFinished =>
        Operations.Count >= OperationCount && Operations.All(o => o.Status != MagentoBulkOperationStatus.Open);

    public bool IsSuccessful => IsFinished && Operations.All(o => o.Status == MagentoBulkOperationStatus.Complete);

    public IReadOnlyList<MagentoBulkOperation> FailedOperations => Operations.Where(o => o.IsFailed).ToList();

    public int OpenCount =>
        Operations.Count(o => o.Status == MagentoBulkOperationStatus.Open) + Math.Max(0, OperationCount - Operations.Count);
}
