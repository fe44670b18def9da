using System.Text.Json;

namespace Platform.Connectors.Magento;

// Reads one order document as a webhook body carries it: the same shape as GET V1/orders/{id}.
public static class MagentoOrderDocument
{
    // Throws MagentoPayloadException for a body that is not JSON or lacks a required field (the message names it).
    public static MagentoOrder Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MagentoPayloadException($"the order document is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return MagentoOrderParser.ParseOrder(document.RootElement);
        }
    }
}
