using Spectre.Console;

namespace Platform.Ctl.Output;

/// <summary>
/// Where platformctl reads and writes: the process console for a real run, captured writers in tests.
/// Tables and progress go through <see cref="Console"/>; JSON goes to <see cref="RawOut"/> untouched, because
/// Spectre wraps long lines at the console width and that would break a JSON document.
/// </summary>
public sealed class CtlTerminal
{
    public required IAnsiConsole Console { get; init; }

    public required TextWriter RawOut { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Environment variables (PLATFORMCTL_*); a dictionary in tests so they never touch the process environment.</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>Standard input, read only where an option names '-' as its file; null when there is none.</summary>
    public TextReader? Input { get; init; }

    /// <summary>Asks the operator a yes/no question; null when nobody can answer (input redirected, CI).</summary>
    public Func<string, CancellationToken, Task<bool>>? Confirm { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>True for the real process: only then does platformctl handle Ctrl+C and SIGTERM itself.</summary>
    public bool OwnsProcess { get; init; }

    public static CtlTerminal FromProcess()
    {
        var console = AnsiConsole.Console;
        var canAsk = !System.Console.IsInputRedirected && console.Profile.Capabilities.Interactive;
        return new CtlTerminal
        {
            Console = console,
            RawOut = System.Console.Out,
            Error = System.Console.Error,
            Input = System.Console.In,
            Environment = System.Environment.GetEnvironmentVariable,
            OwnsProcess = true,
            Confirm = canAsk ? (question, cancellationToken) => console.ConfirmAsync(question, defaultValue: false, cancellationToken) : null,
        };
    }
}
