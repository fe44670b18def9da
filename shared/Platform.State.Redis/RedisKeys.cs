namespace Platform.State.Redis;

/// <summary>
/// The key layout of one store. The <c>{store}</c> hash tag puts every key in one cluster slot; the second
/// segment keeps kinds apart so a state key can never collide with an index, the outbox or a lease.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(string storeName)
    {
        var problems = RedisStateOptions.StoreNameProblems(storeName).ToArray();
        if (problems.Length > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(storeName));
        }

        _prefix = "{" + storeName + "}:";
        ETagCounter = _prefix + "etag";
        Outbox = _prefix + "outbox";
        OutboxIds = _prefix + "outbox:ids";
        ReferenceInvalidations = _prefix + "ref:invalidations";
    }

    public string ETagCounter { get; }

    /// <summary>The outbox stream, read oldest first.</summary>
    public string Outbox { get; }

    /// <summary>Hash from outbox entry id to stream id, so entries are acknowledged by the id their producer gave them.</summary>
    public string OutboxIds { get; }

    public string ReferenceInvalidations { get; }

    public string Item(string key) => _prefix + "k:" + key;

    public string Index(string index) => _prefix + "i:" + index;

    public string Lease(string name) => _prefix + "lease:" + name;

    public string Reference(string category, string key) => _prefix + "ref:" + category + ":" + key;

    /// <summary>Set of the reference keys of one category, so a category can be dropped without SCAN.</summary>
    public string ReferenceCategory(string category) => _prefix + "refcat:" + category;
}
