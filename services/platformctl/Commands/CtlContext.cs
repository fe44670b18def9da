using System.CommandLine;
using System.Text.Json.Nodes;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;
using Spectre.Console;

namespace Platform.Ctl.Commands;

/// <summary>What one command invocation works with: its parsed arguments, the terminal, the clients.</summary>
public sealed record CtlContext(ParseResult Parse, CtlTerminal Terminal, CtlSettings Settings, ServiceClientFactory Clients, CancellationToken CancellationToken)
{
    public bool Json => Settings.Json;

    public IAnsiConsole Console => Terminal.Console;

    public DateTimeOffset Now => Terminal.Time.GetUtcNow();

    /// <summary>Spinners and bars only where someone watches them: never in --json, never into a file or a CI log.</summary>
    public bool ShowsProgress => !Json && Console.Profile.Capabilities.Interactive && Console.Profile.Capabilities.Ansi;

    public void WriteJson(JsonNode document) => JsonOutput.Write(Terminal.RawOut, document);

    public void Warn(string message) => Terminal.Error.WriteLine("platformctl: " + message);
}

public static class CtlAction
{
    /// <summary>
    /// Runs a command body with the global options applied, and turns the failures platformctl knows into one line on
    /// stderr and a distinct exit code. Anything else is a bug and keeps System.CommandLine's report with its stack trace.
    /// </summary>
    public static void SetCtlAction(this Command command, CtlTerminal terminal, GlobalOptions global, Func<CtlContext, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var timeout = GlobalOptions.DefaultTimeout;
            try
            {
                var settings = global.Read(parse, terminal);
                timeout = settings.Timeout;
                using var clients = new ServiceClientFactory(settings.Endpoints, settings.ApiKey, settings.Timeout, terminal.Time);
                return await body(new CtlContext(parse, terminal, settings, clients, cancellationToken));
            }
            catch (CtlException failure)
            {
                terminal.Error.WriteLine("platformctl: " + failure.Message);
                return failure.ExitCode;
            }
            catch (ServiceCallException failure)
            {
                var (exitCode, message) = ErrorReport.Describe(failure, timeout);
                terminal.Error.WriteLine("platformctl: " + message);
                return exitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                terminal.Error.WriteLine("platformctl: interrupted.");
                return ExitCodes.Interrupted;
            }
        });
    }
}
