using System.CommandLine;
using System.Text.Json.Nodes;
using Platform.Contracts.Common.V1;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;
using Spectre.Console;

namespace Platform.Ctl.Commands;

/// <summary>platformctl dlq replay --service name (--all | --id id... | filters) [--yes]</summary>
public static class DlqReplayCommand
{
    public static Command Build(CtlTerminal terminal, GlobalOptions global)
    {
        var service = ServiceOption.Create(required: true, "Service whose dead letters to replay.");
        var all = new Option<bool>("--all") { Description = "Replay every dead letter of the service." };
        var ids = new Option<string[]>("--id")
        {
            Description = "Replay these dead letters (repeat the option or list several ids after it).",
            HelpName = "id",
            AllowMultipleArgumentsPerToken = true,
        };
        var filters = new DeadLetterFilterOptions();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed when no one is at a terminal)." };
        var chunkSize = new Option<int>("--chunk-size")
        {
            Description = $"Ids sent per call with --id, 1 to {DlqCommands.MaxPageSize}.",
            DefaultValueFactory = _ => 100,
            CustomParser = ValueParsers.IntegerBetween(1, DlqCommands.MaxPageSize),
        };

        var command = new Command(
            "replay",
            "Sends dead letters back to the consumer group that failed them and removes them from the dead letters. "
            + "Choose them with --all, --id, or filters (--type, --topic, --group, --kind, --max-age).")
        {
            service, all, ids, yes, chunkSize,
        };
        filters.AddTo(command);
        command.Validators.Add(result =>
        {
            var selectors = new[] { result.GetValue(all), (result.GetValue(ids)?.Length ?? 0) > 0, filters.AnyGiven(result) }.Count(given => given);
            if (selectors == 0)
            {
                result.AddError("Choose what to replay: --all, --id <id>..., or filters such as --type or --kind.");
            }
            else if (selectors > 1)
            {
                result.AddError("--all, --id and filters exclude each other.");
            }
        });

        command.SetCtlAction(terminal, global, context =>
        {
            var admin = context.Clients.Admin(context.Parse.GetValue(service)!);
            var idList = (context.Parse.GetValue(ids) ?? []).Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var request = new ReplayRequest(
                admin,
                context.Parse.GetValue(all),
                idList,
                idList.Count > 0 ? new DeadLetterFilter() : filters.Read(context.Parse),
                context.Parse.GetValue(yes),
                context.Parse.GetValue(chunkSize));
            return RunAsync(context, request);
        });
        return command;
    }

    private sealed record ReplayRequest(AdminClient Admin, bool All, IReadOnlyList<string> Ids, DeadLetterFilter Filter, bool Confirmed, int ChunkSize)
    {
        public string Mode => Ids.Count > 0 ? "ids" : All ? "all" : "filter";

        public string Selection => Ids.Count > 0 ? "by id" : All ? "all" : "matching " + DeadLetterFilterOptions.Describe(Filter);
    }

    private static async Task<int> RunAsync(CtlContext context, ReplayRequest request)
    {
        if (!request.Confirmed && (context.Json || context.Terminal.Confirm is null))
        {
            throw CtlException.Usage("dlq replay changes what the consumers process: confirm it at a terminal, or pass --yes.");
        }

        long? expected = null;
        if (!request.Confirmed)
        {
            expected = await CountAsync(context, request);
            if (expected == 0)
            {
                context.Console.MarkupLine($"No dead letters of [bold]{Markup.Escape(request.Admin.Service)}[/] to replay ({Markup.Escape(request.Selection)}).");
                return ExitCodes.Success;
            }

            var question = $"Replay {expected} dead letter(s) of {request.Admin.Service} ({request.Selection}) to their consumer groups?";
            if (!await context.Terminal.Confirm!(question, context.CancellationToken))
            {
                context.Warn("replay declined; nothing was sent.");
                return ExitCodes.Declined;
            }
        }

        var replayed = request.Ids.Count > 0
            ? await ReplayIdsAsync(context, request)
            : await ReplayFilterAsync(context, request);

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["service"] = request.Admin.Service,
                ["mode"] = request.Mode,
                ["requested"] = request.Ids.Count > 0 ? request.Ids.Count : null,
                ["replayed"] = replayed,
            });
        }
        else
        {
            context.Console.MarkupLine($"Replayed [bold]{Format.Count(replayed)}[/] dead letter(s) of [bold]{Markup.Escape(request.Admin.Service)}[/] ({Markup.Escape(request.Selection)}).");
        }

        if (request.Ids.Count > 0 && replayed < request.Ids.Count)
        {
            // Another operator may have replayed them meanwhile; the caller still asked for ids that are not there.
            context.Warn($"{request.Ids.Count - replayed} of {request.Ids.Count} id(s) were not found in {request.Admin.Service}'s dead letters.");
            return ExitCodes.NotFound;
        }

        return ExitCodes.Success;
    }

    // Counting takes a pass over the dead letters: only done to ask the operator a concrete question.
    private static async Task<long> CountAsync(CtlContext context, ReplayRequest request)
    {
        if (request.Ids.Count > 0)
        {
            return request.Ids.Count;
        }

        if (request.All)
        {
            return (await request.Admin.GetStatusAsync(context.CancellationToken)).DeadLettersPending;
        }

        long count = 0;
        var token = string.Empty;
        do
        {
            var page = await request.Admin.ListDeadLettersAsync(DlqCommands.MaxPageSize, token, request.Filter, context.CancellationToken);
            count += page.DeadLetters.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return count;
    }

    // The service replays a filter in one call, server-side; a spinner shows the call is alive.
    private static async Task<long> ReplayFilterAsync(CtlContext context, ReplayRequest request)
    {
        var filter = request.All ? new DeadLetterFilter() : request.Filter;
        if (!context.ShowsProgress)
        {
            return await request.Admin.ReplayDeadLettersAsync(filter, context.CancellationToken);
        }

        return await context.Console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(
                $"Replaying dead letters of {Markup.Escape(request.Admin.Service)} ({Markup.Escape(request.Selection)})...",
                _ => request.Admin.ReplayDeadLettersAsync(filter, context.CancellationToken));
    }

    // Many ids go in chunks, each one call, so one slow call never holds thousands of ids past its deadline.
    private static async Task<long> ReplayIdsAsync(CtlContext context, ReplayRequest request)
    {
        var chunks = request.Ids.Chunk(request.ChunkSize).ToList();
        long replayed = 0;
        var sent = 0;

        async Task ReplayAllChunksAsync(Action<int> advance)
        {
            foreach (var chunk in chunks)
            {
                var filter = new DeadLetterFilter();
                filter.Ids.AddRange(chunk);
                try
                {
                    replayed += await request.Admin.ReplayDeadLettersAsync(filter, context.CancellationToken);
                }
                catch (ServiceCallException)
                {
                    context.Warn($"stopped after {sent} of {request.Ids.Count} id(s); {replayed} dead letter(s) were replayed before the failure.");
                    throw;
                }

                sent += chunk.Length;
                advance(chunk.Length);
            }
        }

        if (!context.ShowsProgress || chunks.Count == 1)
        {
            await ReplayAllChunksAsync(_ => { });
            return replayed;
        }

        await context.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Replaying {request.Ids.Count} dead letters of {Markup.Escape(request.Admin.Service)}", maxValue: request.Ids.Count);
                await ReplayAllChunksAsync(count => task.Increment(count));
            });
        return replayed;
    }
}
