using Platform.Ctl;
using Platform.Ctl.Output;
using Spectre.Console;

namespace Platform.Ctl.Tests;

public sealed record CtlResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;
}

/// <summary>Runs platformctl in this process the way the shell would, capturing stdout and stderr.</summary>
public sealed class CtlRunner
{
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The operator's answer to a confirmation; null means nobody is at a terminal.</summary>
    public Func<string, bool>? Answer { get; set; }

    public List<string> Questions { get; } = [];

    /// <summary>What the shell pipes into platformctl; null when nothing is piped.</summary>
    public string? StandardInput { get; set; }

    public async Task<CtlResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // Wide enough that no table column wraps the values the tests look for.
        console.Profile.Width = 400;
        var terminal = new CtlTerminal
        {
            Console = console,
            RawOut = output,
            Error = error,
            Environment = name => Environment.GetValueOrDefault(name),
            Input = StandardInput is null ? null : new StringReader(StandardInput),
            Confirm = Answer is null ? null : (question, _) =>
            {
                Questions.Add(question);
                return Task.FromResult(Answer(question));
            },
        };

        var exitCode = await CtlCommandLine.RunAsync(args, terminal);
        return new CtlResult(exitCode, output.ToString(), error.ToString());
    }
}
