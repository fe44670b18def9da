using System.ComponentModel;
using System.Diagnostics;

namespace Platform.Observability.Tests;

/// <summary>promtool from Debian's prometheus package: the same checker Prometheus applies when it loads rules.</summary>
internal static class Promtool
{
    public sealed record Result(int ExitCode, string Output)
    {
        public bool Succeeded => ExitCode == 0;
    }

    public static Result Run(string workingDirectory, params string[] arguments) => RunWithInput(workingDirectory, input: null, arguments);

    public static Result RunWithInput(string workingDirectory, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException("promtool is not installed: apt-get install -y prometheus", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
            }

            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"promtool {string.Join(' ', arguments)} did not finish in 60 s");
            }

            return new Result(process.ExitCode, output.GetAwaiter().GetResult() + error.GetAwaiter().GetResult());
        }
    }
}
