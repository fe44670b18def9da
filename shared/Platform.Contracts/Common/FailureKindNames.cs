namespace Platform.Contracts.Common.V1;

/// <summary>
/// The <see cref="FailureKind"/> values as written in the <c>platform-failure-kind</c> record header
/// and the <c>kind</c> metric label, where they are plain lower-case words.
/// </summary>
public static class FailureKindNames
{
    public const string Malformed = "malformed";
    public const string Invalid = "invalid";
    public const string Exhausted = "exhausted";

    public static string ToHeaderValue(this FailureKind kind) => kind switch
    {
        FailureKind.Malformed => Malformed,
        FailureKind.Invalid => Invalid,
        FailureKind.Exhausted => Exhausted,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only a reported failure kind has a header value"),
    };

    /// <summary>Unknown or missing header values map to <see cref="FailureKind.Unspecified"/>: a dead letter is shown anyway.</summary>
    public static FailureKind FromHeaderValue(string? value) => value switch
    {
        Malformed => FailureKind.Malformed,
        Invalid => FailureKind.Invalid,
        Exhausted => FailureKind.Exhausted,
        _ => FailureKind.Unspecified,
    };
}
