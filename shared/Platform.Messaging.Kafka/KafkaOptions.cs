using Microsoft.Extensions.Options;

namespace Platform.Messaging.Kafka;

/// <summary>
/// Settings of the Kafka transport, bound from the <c>Kafka</c> configuration section. Security settings
/// (<c>security.protocol</c>, <c>sasl.*</c>, <c>ssl.*</c>) go into <see cref="ClientSettings"/> as plain
/// librdkafka property names, so they come from configuration and secrets, never from code.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> list of brokers to bootstrap from.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Shows up in broker logs and quotas; defaults to the service's assembly name.</summary>
    public string ClientId { get; set; } = DefaultClientId();

    /// <summary>librdkafka properties for every client (producer and consumers), e.g. <c>security.protocol</c>.</summary>
    public Dictionary<string, string> ClientSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the producer only, e.g. <c>linger.ms</c>, <c>compression.type</c>.</summary>
    public Dictionary<string, string> ProducerSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for consumers only, e.g. <c>session.timeout.ms</c>, <c>max.poll.interval.ms</c>.</summary>
    public Dictionary<string, string> ConsumerSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Longest a poll waits for a record. It bounds how late a drained partition is resumed and how late a stop is
    /// noticed, so keep it short.
    /// </summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Pause before a record whose handler threw is delivered again; doubles per attempt up to <see cref="HandlerRetryMaxDelay"/>.</summary>
    public TimeSpan HandlerRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan HandlerRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stop waits for in-flight handlers before cancelling them, and how long a stop, an abort or a
    /// partition revocation then waits for a cancelled handler before giving up on it (its record is not committed).
    /// </summary>
    public TimeSpan HandlerStopTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the cached high watermarks behind the consumer-lag gauge are refreshed.</summary>
    public TimeSpan LagRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Every problem with these settings, each as a sentence naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            errors.Add($"{SectionName}:{nameof(BootstrapServers)} is required: a comma-separated host:port list such as 'kafka-0:9092,kafka-1:9092'.");
        }
        else if (BootstrapServers.Split(',').Any(server => string.IsNullOrWhiteSpace(server)))
        {
            errors.Add($"{SectionName}:{nameof(BootstrapServers)} '{BootstrapServers}' has an empty entry; separate host:port pairs with single commas.");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            errors.Add($"{SectionName}:{nameof(ClientId)} must not be empty.");
        }

        RequirePositive(errors, nameof(PollTimeout), PollTimeout);
        RequirePositive(errors, nameof(HandlerRetryDelay), HandlerRetryDelay);
        RequirePositive(errors, nameof(HandlerStopTimeout), HandlerStopTimeout);
        RequirePositive(errors, nameof(LagRefreshInterval), LagRefreshInterval);
        if (HandlerRetryMaxDelay < HandlerRetryDelay)
        {
            errors.Add($"{SectionName}:{nameof(HandlerRetryMaxDelay)} ({HandlerRetryMaxDelay}) must not be shorter than {nameof(HandlerRetryDelay)} ({HandlerRetryDelay}).");
        }

        CheckSettings(errors, nameof(ClientSettings), ClientSettings, ProducerGuarantees.Concat(ConsumerGuarantees));
        CheckSettings(errors, nameof(ProducerSettings), ProducerSettings, ProducerGuarantees);
        CheckSettings(errors, nameof(ConsumerSettings), ConsumerSettings, ConsumerGuarantees);
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(SectionName, typeof(KafkaOptions), errors);
        }
    }

    // Settings the transport owns: changing them would silently break a delivery guarantee the bus port promises,
    // or they have a dedicated option. Each entry says what to do instead.
    private static readonly (string Key, Func<string, bool> Allowed, string Why)[] CommonGuarantees =
    [
        ("bootstrap.servers", _ => false, $"set {nameof(BootstrapServers)} instead"),
        ("client.id", _ => false, $"set {nameof(ClientId)} instead"),
    ];

    private static readonly (string Key, Func<string, bool> Allowed, string Why)[] ProducerGuarantees =
    [
        .. CommonGuarantees,
        ("enable.idempotence", value => IsTrue(value), "the producer must be idempotent so retries never duplicate or reorder records"),
        ("acks", value => value.Trim() is "all" or "-1", "records count as produced only once every in-sync replica has them (acks=all)"),
        ("transactional.id", _ => false, "the transport does not produce in Kafka transactions"),
    ];

    private static readonly (string Key, Func<string, bool> Allowed, string Why)[] ConsumerGuarantees =
    [
        .. CommonGuarantees,
        ("group.id", _ => false, "the group comes from the consumer's settings"),
        ("enable.auto.offset.store", value => !IsTrue(value), "offsets are stored only after the handler returned"),
        ("auto.offset.reset", value => value.Trim() is "earliest" or "smallest" or "beginning", "a new group must start at the beginning of the log, or it would skip every event produced before it first committed"),
        ("enable.auto.commit", value => IsTrue(value), "stored offsets are committed in the background; turning that off would leave them uncommitted until a rebalance"),
    ];

    private static void CheckSettings(
        List<string> errors,
        string property,
        Dictionary<string, string>? settings,
        IEnumerable<(string Key, Func<string, bool> Allowed, string Why)> guarded)
    {
        if (settings is null)
        {
            errors.Add($"{SectionName}:{property} must not be null.");
            return;
        }

        var rules = guarded.DistinctBy(rule => rule.Key).ToDictionary(rule => rule.Key, StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add($"{SectionName}:{property} has an empty property name.");
                continue;
            }

            if (value is null)
            {
                errors.Add($"{SectionName}:{property}:{key} has no value.");
                continue;
            }

            if (rules.TryGetValue(key.Trim(), out var rule) && !rule.Allowed(value))
            {
                errors.Add($"{SectionName}:{property}:{key} = '{value}' is not allowed: {rule.Why}.");
            }
        }
    }

    private static void RequirePositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{name} must be positive (was {value}).");
        }
    }

    private static bool IsTrue(string value) => value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string DefaultClientId() =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name?.ToLowerInvariant() ?? "platform";
}

internal sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
