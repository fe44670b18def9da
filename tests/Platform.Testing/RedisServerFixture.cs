using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, for the lifetime of a test class or
/// collection. Tests isolate themselves with <see cref="NewStoreName"/> rather than by flushing, so classes
/// sharing one server never see each other's keys.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private const string InstallHint = "apt-get install -y redis-server";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly StringBuilder _serverOutput = new();
    private Process? _server;
    private string? _workingDirectory;
    private ConnectionMultiplexer? _connection;

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis configuration for the server, e.g. <c>127.0.0.1:40123</c>.</summary>
    public string ConnectionString => Port == 0
        ? throw new InvalidOperationException("The Redis server has not been started; use the fixture through xunit.")
        : $"127.0.0.1:{Port}";

    /// <summary>One multiplexer shared by the tests of this fixture; dispose it never, the fixture does.</summary>
    public IConnectionMultiplexer Connection => _connection
        ?? throw new InvalidOperationException("The Redis server has not been started; use the fixture through xunit.");

    /// <summary>A store name nobody else uses, e.g. <c>order-3f9a1c2b7d</c>.</summary>
    public static string NewStoreName(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];

    /// <summary>A separate connection, as a second pod would have one. The caller disposes it.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async Task InitializeAsync()
    {
        var binary = FindRedisServer() ?? throw new InvalidOperationException(
            $"redis-server was not found on PATH or in /usr/bin. The Redis tests need a real server: {InstallHint}");

        _workingDirectory = Directory.CreateTempSubdirectory("platform-redis-").FullName;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            _server = Start(binary, Port, _workingDirectory);
            if (await AnswersPingAsync(_server, Port).ConfigureAwait(false))
            {
                break;
            }

            Stop();
            if (attempt == StartAttempts)
            {
                string output;
                lock (_serverOutput)
                {
                    output = _serverOutput.ToString();
                }

                throw new InvalidOperationException(
                    $"redis-server ({binary}) did not answer PING on 127.0.0.1 within {StartTimeout.TotalSeconds:0}s after {StartAttempts} attempts. Its output:{Environment.NewLine}{output}");
            }
        }

        _connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        Stop();
        if (_workingDirectory is not null)
        {
            try
            {
                Directory.Delete(_workingDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover empty temp folder is harmless; failing the run over it is not.
            }
        }
    }

    private static string? FindRedisServer()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(File.Exists);
    }

    // The port is free when probed and taken a moment later by redis-server; another process can win the gap,
    // which is why starting is retried on a new port.
    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private Process Start(string binary, int port, string workingDirectory)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", workingDirectory,
            "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        lock (_serverOutput)
        {
            _serverOutput.Clear();
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Capture(line.Data);
        process.ErrorDataReceived += (_, line) => Capture(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_serverOutput)
        {
            _serverOutput.AppendLine(line);
        }
    }

    private static async Task<bool> AnswersPingAsync(Process server, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (server.HasExited)
            {
                return false;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray()).ConfigureAwait(false);
                var reply = new byte[16];
                var read = await stream.ReadAsync(reply).ConfigureAwait(false);
                if (Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            catch (IOException)
            {
                // Accepted and dropped while still loading.
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }

    private void Stop()
    {
        if (_server is null)
        {
            return;
        }

        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                _server.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        finally
        {
            _server.Dispose();
            _server = null;
        }
    }
}
