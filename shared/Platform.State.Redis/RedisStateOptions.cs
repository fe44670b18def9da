namespace Platform.State.Redis;

public sealed class RedisStateOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Logical store name (normally the service: "order"). Every key lives under <c>{StoreName}:</c>; the braces
    /// are a cluster hash tag, so one store sits in one slot and a commit script may touch any of its keys.
    /// </summary>
    public string StoreName { get; set; } = "";

    /// <summary>Every problem with the options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("RedisStateOptions.ConnectionString is required (e.g. \"localhost:6379\").");
        }

        problems.AddRange(StoreNameProblems(StoreName));
        return problems;
    }

    internal static IEnumerable<string> StoreNameProblems(string? storeName)
    {
        if (string.IsNullOrWhiteSpace(storeName))
        {
            yield return "RedisStateOptions.StoreName is required (e.g. \"order\").";
        }
        else if (storeName.AsSpan().IndexOfAny('{', '}') >= 0 || storeName.AsSpan().ContainsAny(" \t\r\n"))
        {
            // A brace would move or break the hash tag, and with it the single-slot guarantee of the commit script.
            yield return $"RedisStateOptions.StoreName '{storeName}' must not contain braces or whitespace.";
        }
    }
}
