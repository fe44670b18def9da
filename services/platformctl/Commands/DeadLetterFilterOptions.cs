using System.CommandLine;
using System.CommandLine.Parsing;
using Platform.Contracts.Common.V1;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace Platform.Ctl.Commands;

/// <summary>The dead-letter criteria shared by `dlq list` and `dlq replay`; they combine with AND on the service.</summary>
public sealed class DeadLetterFilterOptions
{
    private readonly Option<string?> _type = new("--type") { Description = "Only events of this CloudEvents type, e.g. platform.order.v1.OrderPlaced.", HelpName = "event type" };
    private readonly Option<string?> _topic = new("--topic") { Description = "Only events first consumed from this topic.", HelpName = "topic" };
    private readonly Option<string?> _group = new("--group") { Description = "Only dead letters of this consumer group.", HelpName = "group" };
    private readonly Option<string?> _kind = new("--kind") { Description = "Only dead letters of this kind: malformed, invalid or exhausted.", HelpName = "kind" };
    private readonly Option<TimeSpan?> _maxAge = new("--max-age")
    {
        Description = "Only dead letters moved no longer than this ago, e.g. 1h, 30m, 2d.",
        HelpName = "duration",
        CustomParser = result => ValueParsers.Duration(result),
    };

    public DeadLetterFilterOptions() =>
        _kind.AcceptOnlyFromAmong(FailureKindNames.Malformed, FailureKindNames.Invalid, FailureKindNames.Exhausted);

    public IEnumerable<Option> All => [_type, _topic, _group, _kind, _maxAge];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Add(option);
        }
    }

    public bool AnyGiven(CommandResult result) =>
        All.Any(option => result.GetResult(option) is { Implicit: false });

    public DeadLetterFilter Read(ParseResult parse)
    {
        var filter = new DeadLetterFilter
        {
            EventType = parse.GetValue(_type) ?? string.Empty,
            OriginalTopic = parse.GetValue(_topic) ?? string.Empty,
            ConsumerGroup = parse.GetValue(_group) ?? string.Empty,
            FailureKind = FailureKindNames.FromHeaderValue(parse.GetValue(_kind)),
        };
        if (parse.GetValue(_maxAge) is { } maxAge)
        {
            filter.MaxAge = Duration.FromTimeSpan(maxAge);
        }

        return filter;
    }

    public static string Describe(DeadLetterFilter filter)
    {
        var parts = new List<string>();
        if (filter.EventType.Length > 0)
        {
            parts.Add("type " + filter.EventType);
        }

        if (filter.OriginalTopic.Length > 0)
        {
            parts.Add("topic " + filter.OriginalTopic);
        }

        if (filter.ConsumerGroup.Length > 0)
        {
            parts.Add("group " + filter.ConsumerGroup);
        }

        if (filter.FailureKind != FailureKind.Unspecified)
        {
            parts.Add("kind " + filter.FailureKind.ToHeaderValue());
        }

        if (filter.MaxAge is not null)
        {
            parts.Add("at most " + Output.Format.Duration(filter.MaxAge.ToTimeSpan()) + " old");
        }

        return parts.Count == 0 ? "every dead letter" : string.Join(", ", parts);
    }
}
