using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Platform.Deployment.Tests;

/// <summary>
/// The service Dockerfiles, read as instructions: what they build, what they copy, who they run as. Nothing is
/// built here (no Docker engine); the checks are the ones that hold without one.
/// </summary>
public sealed class ClusterDockerfileTests
{
    public static TheoryData<string> Modules => new(ClusterRepository.Modules);

    [Theory]
    [MemberData(nameof(Modules))]
    public void Builds_with_the_dotnet_10_SDK_and_runs_on_the_aspnet_10_runtime(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var stages = dockerfile.Instructions.Where(i => i.Keyword == "FROM").Select(i => ClusterDockerfile.ImageOf(i.Arguments)).ToList();

        Assert.True(stages.Count >= 2, $"{dockerfile.Path}: a multi-stage build keeps the SDK out of the image");
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", stages[0]);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:10\.0(-[a-z-]+)?$", stages[^1]);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Publishes_the_service_project_in_Release(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var publish = Assert.Single(dockerfile.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var project = Regex.Match(publish.Arguments, @"dotnet publish\s+(?<project>\S+\.csproj)").Groups["project"].Value;

        Assert.Equal(ClusterDockerfile.ProjectOf(module), project);
        Assert.True(File.Exists(Path.Combine(ClusterRepository.Root, project)), $"{dockerfile.Path}: {project} does not exist");
        Assert.Matches(@"(-c|--configuration)\s+Release\b", publish.Arguments);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Copies_every_project_the_service_references_into_the_build(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var copied = dockerfile.Instructions
            .Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => ClusterDockerfile.CopySources(i.Arguments))
            .ToList();

        foreach (var source in copied)
        {
            Assert.True(File.Exists(Path.Combine(ClusterRepository.Root, source)) || Directory.Exists(Path.Combine(ClusterRepository.Root, source)),
                $"{dockerfile.Path}: COPY source {source} does not exist in the repository");
        }

        Assert.Superset(new HashSet<string> { "Directory.Build.props", "Directory.Packages.props", "global.json" }, copied.ToHashSet());
        var missing = ClusterDockerfile.ReferencedProjects(ClusterDockerfile.ProjectOf(module))
            .Where(project => !copied.Any(source => source.EndsWith('/') ? project.StartsWith(source, StringComparison.Ordinal) : project == source))
            .ToList();
        Assert.True(missing.Count == 0, $"{dockerfile.Path}: referenced but not copied into the build: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Runs_as_a_non_root_user_with_no_shell_needed(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var runtime = dockerfile.FinalStage.ToList();
        var user = runtime.LastOrDefault(i => i.Keyword == "USER")?.Arguments;

        Assert.True(user is "$APP_UID" or "${APP_UID}" || (int.TryParse(user?.Split(':')[0], out var uid) && uid > 0),
            $"{dockerfile.Path}: the final stage must set a non-root USER ($APP_UID or a numeric UID), found '{user}'");
        Assert.DoesNotContain(runtime, i => i.Keyword == "RUN");
        Assert.DoesNotContain(runtime, i => i.Keyword == "HEALTHCHECK");
        var entrypoint = runtime.Last(i => i.Keyword == "ENTRYPOINT").Arguments;
        Assert.StartsWith("[", entrypoint);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Starts_the_assembly_the_project_builds(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var entrypoint = JsonSerializer.Deserialize<string[]>(dockerfile.FinalStage.Last(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        var project = ClusterDockerfile.ProjectOf(module);
        var assembly = XDocument.Load(Path.Combine(ClusterRepository.Root, project)).Descendants("AssemblyName").FirstOrDefault()?.Value
            ?? Path.GetFileNameWithoutExtension(project);

        Assert.Equal(["dotnet", $"{assembly}.dll"], entrypoint);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Listens_on_all_interfaces_and_exposes_the_http_and_grpc_ports_it_configures(string module)
    {
        var dockerfile = ClusterDockerfile.Load(module);
        var exposed = dockerfile.FinalStage.Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(port => int.Parse(port.Split('/')[0], CultureInfo.InvariantCulture))
            .ToHashSet();

        Assert.Equal(8080, dockerfile.EnvironmentPort("Platform__Hosting__HttpPort"));
        Assert.Equal(8081, dockerfile.EnvironmentPort("Platform__Hosting__GrpcPort"));
        Assert.Equal(new HashSet<int> { 8080, 8081 }, exposed);
        Assert.Equal("0.0.0.0", dockerfile.Environment["Platform__Hosting__BindAddress"]);
    }

    [Fact]
    public void The_build_context_leaves_out_build_output_tests_and_tooling_but_not_what_the_builds_copy()
    {
        var ignored = ClusterRepository.Read(".dockerignore").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.TrimStart('*', '/').TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string> { "bin", "obj", "tests", ".git", "node_modules", ".tools" }, ignored);
        var copied = ClusterRepository.Modules.SelectMany(m => ClusterDockerfile.Load(m).Instructions)
            .Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => ClusterDockerfile.CopySources(i.Arguments))
            .Select(source => source.Split('/')[0])
            .ToHashSet(StringComparer.Ordinal);
        Assert.Empty(copied.Intersect(ignored));
    }

    [Fact]
    public void The_instruction_reader_joins_continued_lines_and_skips_comments()
    {
        var dockerfile = ClusterDockerfile.Parse("example/Dockerfile", """
            # syntax=docker/dockerfile:1
            FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            # a comment between instructions
            RUN dotnet publish a.csproj \
                # a comment inside a continued instruction
                -c Release
            FROM scratch
            USER 1654
            """);

        Assert.Equal(["FROM", "RUN", "FROM", "USER"], dockerfile.Instructions.Select(i => i.Keyword));
        Assert.Equal("dotnet publish a.csproj -c Release", dockerfile.Instructions[1].Arguments);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", ClusterDockerfile.ImageOf(dockerfile.Instructions[0].Arguments));
        Assert.Equal(["USER"], dockerfile.FinalStage.Select(i => i.Keyword));
    }
}

internal sealed record DockerInstruction(string Keyword, string Arguments);

internal sealed partial record ClusterDockerfile(string Path, IReadOnlyList<DockerInstruction> Instructions)
{
    public static ClusterDockerfile Load(string module)
    {
        var path = $"services/{module}/Dockerfile";
        Assert.True(File.Exists(System.IO.Path.Combine(ClusterRepository.Root, path)), $"{path} does not exist");
        return Parse(path, ClusterRepository.Read(path));
    }

    public static ClusterDockerfile Parse(string path, string text)
    {
        var instructions = new List<DockerInstruction>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            // Blank and comment lines may sit inside a continued instruction; Docker drops both.
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var continues = line.EndsWith('\\');
            current = $"{current} {(continues ? line[..^1] : line)}".Trim();
            if (!continues && current.Length > 0)
            {
                var split = current.IndexOf(' ');
                instructions.Add(new DockerInstruction(current[..split].ToUpperInvariant(), Whitespace().Replace(current[(split + 1)..], " ").Trim()));
                current = "";
            }
        }

        return new ClusterDockerfile(path, instructions);
    }

    public IEnumerable<DockerInstruction> FinalStage => Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM") + 1);

    public IReadOnlyDictionary<string, string> Environment => FinalStage.Where(i => i.Keyword == "ENV")
        .SelectMany(i => EnvironmentPair().Matches(i.Arguments))
        .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

    public int EnvironmentPort(string key) => int.Parse(Environment[key], CultureInfo.InvariantCulture);

    public static IEnumerable<string> CopySources(string copyArguments) =>
        copyArguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1).Where(part => !part.StartsWith("--", StringComparison.Ordinal));

    public static string ImageOf(string fromArguments) =>
        fromArguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(part => !part.StartsWith("--", StringComparison.Ordinal));

    public static string ProjectOf(string module)
    {
        var projects = Directory.GetFiles(System.IO.Path.Combine(ClusterRepository.Root, "services", module), "*.csproj");
        return ClusterRepository.Relative(Assert.Single(projects));
    }

    /// <summary>The project and every project it references, directly or not, as repository-relative paths.</summary>
    public static IReadOnlySet<string> ReferencedProjects(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.Combine(ClusterRepository.Root, next))!;
            foreach (var reference in XDocument.Load(System.IO.Path.Combine(ClusterRepository.Root, next)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(ClusterRepository.Relative(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, include))));
            }
        }

        return found;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S*)")]
    private static partial Regex EnvironmentPair();
}
