using System.CommandLine;
using Platform.Ctl.Commands;
using Platform.Ctl.Output;

namespace Platform.Ctl;

public static class CtlCommandLine
{
    public static RootCommand Build(CtlTerminal terminal)
    {
        var global = new GlobalOptions();
        var root = new RootCommand(
            "platformctl: operate the commerce integration platform's services over their gRPC admin API "
            + "(status, dead letters, reconciliation). Exit codes: 0 ok, 1 failure, 2 usage, 3 reconciliation mismatches, "
            + "4 not found, 5 unauthenticated, 6 permission denied, 7 unreachable, 8 timeout, 9 declined, 10 unimplemented, 130 interrupted.");
        global.AddTo(root);
        root.Add(StatusCommand.Build(terminal, global));
        root.Add(DlqCommands.Build(terminal, global));
        root.Add(ReconcileCommand.Build(terminal, global));
        return root;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CtlTerminal terminal, CancellationToken cancellationToken = default)
    {
        var parse = Build(terminal).Parse(args);
        // Parse errors are reported here rather than by System.CommandLine, which would exit 1: a script must be
        // able to tell a mistyped command (2) from a failed operation (1).
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                terminal.Error.WriteLine("platformctl: " + error.Message);
            }

            terminal.Error.WriteLine("Run 'platformctl --help' or 'platformctl <command> --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = terminal.RawOut,
            Error = terminal.Error,
            // Only the real process handles Ctrl+C; an in-process run (tests) must not hook the host's signals.
            ProcessTerminationTimeout = terminal.OwnsProcess ? TimeSpan.FromSeconds(2) : null,
        };
        return await parse.InvokeAsync(configuration, cancellationToken);
    }
}
