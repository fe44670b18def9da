using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Hosting;

/// <summary>
/// What counts as a secret or as personal data in a log line, decided in one place so the console formatter,
/// option-validation messages and anything else that echoes values agree.
/// </summary>
public static partial class SensitiveData
{
    public const string Redacted = "[redacted]";

    // Matched against the name with case and separators removed, so "api_key", "ApiKey" and "x-api-key" are one rule.
    private static readonly string[] SensitiveFragments =
    [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "authorization", "credential", "privatekey",
        "connectionstring", "cookie", "signature",
        "email", "phone", "mobile", "fax",
        "firstname", "lastname", "fullname", "givenname", "familyname", "middlename", "surname", "maidenname",
        "street", "addressline", "postcode", "postalcode", "zipcode",
        "birthdate", "dateofbirth", "iban", "cardnumber", "creditcard", "cvv", "socialsecurity", "taxid",
    ];

    // "ApiKeyCount", "TokenType" or "EmailEnabled" describe a secret or a field without holding one.
    private static readonly string[] DescriptiveSuffixes = ["count", "length", "type", "enabled", "required", "scheme", "expiry", "expiresat"];

    private static readonly HashSet<string> SensitiveExactNames = new(StringComparer.Ordinal)
    {
        "name", "personname", "customername", "contactname", "recipientname", "billingname", "shippingname", "username",
        "address", "billingaddress", "shippingaddress", "deliveryaddress", "homeaddress", "postaladdress", "customeraddress",
        "zip", "dob", "ssn", "pwd", "pin", "otp", "city",
    };

    public static bool IsSensitiveName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        Span<char> buffer = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
        var length = 0;
        foreach (var character in name)
        {
            if (char.IsLetterOrDigit(character))
            {
                buffer[length++] = char.ToLowerInvariant(character);
            }
        }

        var normalized = new string(buffer[..length]);
        if (SensitiveExactNames.Contains(normalized))
        {
            return true;
        }

        foreach (var suffix in DescriptiveSuffixes)
        {
            if (normalized.EndsWith(suffix, StringComparison.Ordinal) && normalized.Length > suffix.Length)
            {
                return false;
            }
        }

        foreach (var fragment in SensitiveFragments)
        {
            if (normalized.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The value to log under <paramref name="name"/>: redacted when the name says secret or PII, otherwise the value
    /// with any e-mail address, bearer token or inline credential masked.
    /// </summary>
    public static object? RedactValue(string? name, object? value)
    {
        if (value is null)
        {
            return null;
        }

        if (IsSensitiveName(name) && !IsListeningAddress(name, value))
        {
            return Redacted;
        }

        return value switch
        {
            string text => MaskText(text),
            // Numbers, dates, enums and ids carry no free text; anything else is logged through its text, masked.
            bool or IFormattable => value,
            _ => MaskText(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>Masks e-mail addresses, bearer/API-key credentials, JWTs and "password=..." pairs inside free text.</summary>
    public static string MaskText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        // Cheap pre-checks keep the regexes off the hot path for the common line that contains none of these.
        var result = text;
        if (result.Contains('@'))
        {
            result = EmailPattern().Replace(result, Redacted);
        }

        if (result.Contains("ey", StringComparison.Ordinal))
        {
            result = JwtPattern().Replace(result, Redacted);
        }

        result = CredentialSchemePattern().Replace(result, match => LooksLikeCredential(match.Groups["credential"].Value)
            ? match.Groups["scheme"].Value + " " + Redacted
            : match.Value);
        result = CredentialPairPattern().Replace(result, match => match.Groups["key"].Value + match.Groups["sep"].Value + Redacted);
        return result;
    }

    // "ApiKey was not authenticated" and "bearer tokens" are prose; a credential has digits or symbols, or is long.
    private static bool LooksLikeCredential(string candidate) =>
        candidate.Length >= 8 && (candidate.Length >= 24 || candidate.Any(character => !char.IsAsciiLetter(character)));

    // Kestrel and the host log "Now listening on: {address}"; an http(s) URL is an endpoint, never a postal address.
    private static bool IsListeningAddress(string? name, object value) =>
        string.Equals(name, "address", StringComparison.OrdinalIgnoreCase)
        && value is string or Uri
        && Uri.TryCreate(value.ToString(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex JwtPattern();

    [GeneratedRegex(@"\b(?<scheme>Bearer|ApiKey|Basic)\s+(?!\[redacted\])(?<credential>[A-Za-z0-9\-._~+/]+=*)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CredentialSchemePattern();

    // The value runs to a comma, '&', quote or space but not to ';': passwords may contain ';', and masking the rest of
    // a semicolon-separated connection string is a smaller loss than printing half a password.
    [GeneratedRegex(@"(?<key>\b(?:password|pwd|passwd|secret|token|access_token|refresh_token|api[_-]?key|x-api-key|client_secret)\b)(?<sep>\s*[=:]\s*)(?!\[redacted\])[^\s&,""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CredentialPairPattern();
}
