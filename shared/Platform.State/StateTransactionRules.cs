namespace Platform.State;

/// <summary>
/// Checks every adapter makes before it touches storage, so a transaction the backend would reject half-way
/// (a NaN score, a zero TTL) is refused up front and adapters agree on what is valid.
/// </summary>
internal static class StateTransactionRules
{
    public static void Validate(StateTransaction transaction)
    {
        foreach (var operation in transaction.Operations)
        {
            switch (operation)
            {
                case StateOperation.Set { TimeToLive: { } ttl } set when ttl <= TimeSpan.Zero:
                    throw new ArgumentOutOfRangeException(nameof(transaction), ttl, $"Time to live of key '{set.Key}' must be positive.");
                case StateOperation.IndexAdd add when double.IsNaN(add.Score):
                    throw new ArgumentOutOfRangeException(nameof(transaction), add.Score, $"Score of '{add.Member}' in index '{add.Index}' is not a number.");
                case StateOperation.Set or StateOperation.Delete or StateOperation.Check or StateOperation.IndexAdd or StateOperation.IndexRemove:
                    break;
                default:
                    throw new NotSupportedException($"State operation {operation.GetType().Name} is not one the state adapters know.");
            }
        }

        var outboxIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in transaction.Outbox)
        {
            if (string.IsNullOrEmpty(entry.Id) || string.IsNullOrEmpty(entry.Topic) || entry.Key is null || entry.Headers is null)
            {
                throw new ArgumentException($"Outbox entry '{entry.Id}' needs an id, a topic, a key and headers.", nameof(transaction));
            }

            // Acknowledgement is by id, so two pending entries with one id could never both be removed.
            if (!outboxIds.Add(entry.Id))
            {
                throw new ArgumentException($"Outbox entry id '{entry.Id}' appears twice in one transaction.", nameof(transaction));
            }
        }
    }
}
