using Platform.Contracts.Common.V1;
using Spectre.Console;

namespace Platform.Ctl.Output;

public static class DeadLetterView
{
    // Enough to recognise a payload at a glance; --json carries every byte.
    private const int HexDumpLimit = 1024;

    public static void RenderList(IAnsiConsole console, string service, IReadOnlyList<DeadLetter> letters, string filter, string nextPageToken, DateTimeOffset now)
    {
        if (letters.Count == 0)
        {
            console.MarkupLine($"No dead letters in [bold]{Markup.Escape(service)}[/] match {Markup.Escape(filter)}.");
            return;
        }

        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(service)} dead letters: {Markup.Escape(filter)}")
            .AddColumns("id", "kind", "event type", "topic", "group", "key", "attempts", "dead-lettered", "reason");
        foreach (var letter in letters)
        {
            table.AddRow(
                Markup.Escape(letter.Id),
                KindMarkup(letter.FailureKind),
                Markup.Escape(Dash(letter.EventType)),
                Markup.Escape(letter.OriginalTopic),
                Markup.Escape(letter.ConsumerGroup),
                Markup.Escape(Dash(letter.Key)),
                letter.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Age(letter.DeadLetteredAt, now),
                Markup.Escape(letter.Reason));
        }

        console.Write(table);
        var more = nextPageToken.Length > 0
            ? $"; more remain: add --all-pages, or --page-token {Markup.Escape(nextPageToken)}"
            : string.Empty;
        console.MarkupLine($"{letters.Count} dead letter(s){more}");
    }

    public static void RenderOne(IAnsiConsole console, string service, DeadLetter letter, DecodedPayload decoded, DateTimeOffset now)
    {
        var facts = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Fact(string name, string value) => facts.AddRow($"[grey]{name}[/]", Markup.Escape(value));
        Fact("id", letter.Id);
        Fact("service", service);
        Fact("event id", Dash(letter.EventId));
        Fact("event type", Dash(letter.EventType));
        Fact("consumer group", letter.ConsumerGroup);
        Fact("original topic", letter.OriginalTopic);
        Fact("key", Dash(letter.Key));
        facts.AddRow("[grey]kind[/]", KindMarkup(letter.FailureKind));
        Fact("attempts", letter.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Fact("first failure", Format.TimeWithAge(letter.FirstFailureTime, now));
        Fact("dead-lettered", Format.TimeWithAge(letter.DeadLetteredAt, now));
        Fact("reason", letter.Reason);
        console.Write(new Rule($"dead letter [bold]{Markup.Escape(letter.Id)}[/]").LeftJustified());
        console.Write(facts);

        console.Write(new Rule("headers").LeftJustified());
        if (letter.Headers.Count == 0)
        {
            console.MarkupLine("[grey]none[/]");
        }
        else
        {
            var headers = new Table().Border(TableBorder.Simple).AddColumns("name", "value");
            foreach (var (name, value) in letter.Headers.OrderBy(header => header.Key, StringComparer.Ordinal))
            {
                headers.AddRow(Markup.Escape(name), Markup.Escape(value));
            }

            console.Write(headers);
        }

        var payload = letter.Payload.Span;
        console.Write(new Rule($"payload ({payload.Length} bytes)").LeftJustified());
        console.Write(new Text(HexDump.Render(payload[..Math.Min(payload.Length, HexDumpLimit)])));
        if (payload.Length > HexDumpLimit)
        {
            console.MarkupLine($"[grey]first {HexDumpLimit} of {payload.Length} bytes shown; --json has them all[/]");
        }

        console.WriteLine("base64: " + Convert.ToBase64String(payload));
        console.Write(new Rule(Markup.Escape(decoded.Note)).LeftJustified());
        if (decoded.Message is not null)
        {
            console.Write(new Text(JsonOutput.Indent(JsonOutput.Message(decoded.Message))));
            console.WriteLine();
        }
    }

    private static string KindMarkup(FailureKind kind) => kind switch
    {
        FailureKind.Malformed => "[red]malformed[/]",
        FailureKind.Invalid => "[yellow]invalid[/]",
        FailureKind.Exhausted => "[magenta]exhausted[/]",
        _ => "[grey]-[/]",
    };

    private static string Dash(string value) => value.Length == 0 ? "-" : value;
}
