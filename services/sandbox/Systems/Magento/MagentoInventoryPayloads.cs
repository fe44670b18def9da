using System.Text.Json.Serialization;

namespace Platform.Sandbox.Systems.Magento;

// The sandbox's own copies of Magento 2.4's MSI and async bulk REST payloads, written from the public REST reference and
// Magento's web API tests: snake_case names, quantities as plain JSON numbers, "yyyy-MM-dd HH:mm:ss" UTC timestamps.

/// <summary><c>InventoryApi\Api\Data\SourceItemInterface</c> as the search returns it.</summary>
public sealed record MagentoSourceItemPayload(string Sku, string SourceCode, decimal Quantity, int Status)
{
    public static MagentoSourceItemPayload From(SourceItemRecord row) => new(row.Sku, row.SourceCode, row.Quantity, row.Status);
}

/// <summary>The 202 answer of <c>POST /rest/{store}/async/bulk/V1/...</c>.</summary>
public sealed record MagentoBulkAccepted(string BulkUuid, IReadOnlyList<MagentoBulkRequestItem> RequestItems, bool Errors);

public sealed record MagentoBulkRequestItem(int Id, string DataHash, string Status);

/// <summary><c>GET /rest/V1/bulk/{bulkUuid}/status</c>.</summary>
public sealed record MagentoBulkStatus(
    IReadOnlyList<MagentoBulkOperationStatus> OperationsList,
    int UserType,
    string BulkId,
    string Description,
    string StartTime,
    long UserId,
    int OperationCount);

/// <summary>One operation of a bulk; Magento writes <c>result_message</c> and <c>error_code</c> as null while they have no value.</summary>
public sealed record MagentoBulkOperationStatus(
    int Id,
    int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ResultMessage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? ErrorCode);

/// <summary>A Magento error whose parameters are not all strings (PHP keeps an int an int), e.g. the input limit's <c>max</c>.</summary>
public sealed record MagentoTypedError(string Message, Dictionary<string, object> Parameters);

/// <summary>A validation error: the first error in <c>message</c>, all of them in <c>errors</c>.</summary>
public sealed record MagentoValidationError(string Message, IReadOnlyList<MagentoErrorDetail> Errors);

/// <summary>What <c>/_sandbox/magento/source-items</c> shows of a row: its values and how often it was written.</summary>
public sealed record SourceItemState(long SourceItemId, string Sku, string SourceCode, decimal Quantity, int Status, long Writes, string UpdatedAt)
{
    public static SourceItemState From(SourceItemRecord row) =>
        new(row.SourceItemId, row.Sku, row.SourceCode, row.Quantity, row.Status, row.Writes, MagentoFormat.Date(row.UpdatedAt));
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SourceSpec
{
    public string? SourceCode { get; init; }
}
