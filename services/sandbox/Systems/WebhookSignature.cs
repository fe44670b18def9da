using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Sandbox.Systems;

/// <summary>
/// The platform's webhook signature, used by every webhook the sandbox sends (Magento orders, stock feeds):
/// <c>t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256 over "&lt;t&gt;.&lt;raw body&gt;" keyed with the UTF-8 secret&gt;</c>.
/// Written here rather than taken from the connectors, so a mistake on one side cannot hide on the other.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Platform-Webhook-Signature";
    public const string IdHeader = "X-Platform-Webhook-Id";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + 1 + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        signed[written] = (byte)'.';
        body.CopyTo(signed.AsSpan(written + 1));
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
