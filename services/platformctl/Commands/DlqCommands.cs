using System.CommandLine;
using System.Text.Json.Nodes;
using Platform.Contracts.Common.V1;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;

namespace Platform.Ctl.Commands;

/// <summary>platformctl dlq list | show | replay</summary>
public static class DlqCommands
{
    public const int MaxPageSize = 1000;

    public static Command Build(CtlTerminal terminal, GlobalOptions global) =>
        new("dlq", "Lists, shows and replays a service's dead letters.")
        {
            List(terminal, global),
            Show(terminal, global),
            DlqReplayCommand.Build(terminal, global),
        };

    private static Command List(CtlTerminal terminal, GlobalOptions global)
    {
        var service = ServiceOption.Create(required: true, "Service whose dead letters to list.");
        var filters = new DeadLetterFilterOptions();
        var pageSize = new Option<int>("--page-size")
        {
            Description = $"Dead letters per page, 1 to {MaxPageSize}.",
            DefaultValueFactory = _ => 100,
            CustomParser = ValueParsers.IntegerBetween(1, MaxPageSize),
        };
        var pageToken = new Option<string?>("--page-token") { Description = "Continue from this page token, as printed by a previous list.", HelpName = "token" };
        var allPages = new Option<bool>("--all-pages") { Description = "Follow every page to the end." };

        var command = new Command("list", "Lists dead letters, oldest first.") { service, pageSize, pageToken, allPages };
        filters.AddTo(command);
        command.SetCtlAction(terminal, global, async context =>
        {
            var admin = context.Clients.Admin(context.Parse.GetValue(service)!);
            var filter = filters.Read(context.Parse);
            var letters = new List<DeadLetter>();
            var token = context.Parse.GetValue(pageToken) ?? string.Empty;
            do
            {
                var page = await admin.ListDeadLettersAsync(context.Parse.GetValue(pageSize), token, filter, context.CancellationToken);
                letters.AddRange(page.DeadLetters);
                token = page.NextPageToken;
            }
            while (context.Parse.GetValue(allPages) && token.Length > 0);

            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["service"] = admin.Service,
                    ["deadLetters"] = new JsonArray(letters.Select(letter => (JsonNode?)JsonOutput.Message(letter)).ToArray()),
                    ["nextPageToken"] = token,
                });
            }
            else
            {
                DeadLetterView.RenderList(context.Console, admin.Service, letters, DeadLetterFilterOptions.Describe(filter), token, context.Now);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CtlTerminal terminal, GlobalOptions global)
    {
        var service = ServiceOption.Create(required: true, "Service that holds the dead letter.");
        var id = new Argument<string>("id") { Description = "The dead letter id, as `dlq list` shows it." };
        var command = new Command("show", "Shows one dead letter: headers, reason, the payload as hex and base64, and decoded when its event type is known.")
        {
            service, id,
        };
        command.SetCtlAction(terminal, global, async context =>
        {
            var admin = context.Clients.Admin(context.Parse.GetValue(service)!);
            var letter = await admin.GetDeadLetterAsync(context.Parse.GetValue(id)!, context.CancellationToken);
            var decoded = PayloadDecoder.Decode(letter);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["service"] = admin.Service,
                    ["deadLetter"] = JsonOutput.Message(letter),
                    ["payloadHex"] = Convert.ToHexStringLower(letter.Payload.Span),
                    ["decodedPayload"] = decoded.Message is null ? null : JsonOutput.Message(decoded.Message),
                    ["decodeNote"] = decoded.Note,
                });
            }
            else
            {
                DeadLetterView.RenderOne(context.Console, admin.Service, letter, decoded, context.Now);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
