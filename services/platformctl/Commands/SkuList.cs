using Platform.Ctl.Clients;

namespace Platform.Ctl.Commands;

/// <summary>The SKUs an operator names with --sku and --skus-file, as one list in the order given, each once.</summary>
public static class SkuList
{
    public const string StandardInput = "-";

    /// <summary>
    /// The file holds one SKU per line; blank lines are skipped and each line is trimmed, so a list exported from a
    /// spreadsheet or a query (CRLF, trailing spaces, a final empty line) reads as written. No comment syntax: a SKU
    /// may itself start with '#'.
    /// </summary>
    /// <exception cref="CtlException">A blank --sku, or a file that is missing, unreadable or holds no SKU.</exception>
    public static IReadOnlyList<string> Read(IReadOnlyCollection<string> flags, string? file, TextReader? input)
    {
        var skus = new List<string>();
        foreach (var flag in flags)
        {
            var sku = flag.Trim();
            if (sku.Length == 0)
            {
                throw CtlException.Usage("--sku: a SKU must not be empty.");
            }

            skus.Add(sku);
        }

        if (file is not null)
        {
            var fromFile = ReadFile(file, input);
            if (fromFile.Count == 0)
            {
                // An empty list asks the service for every SKU: an empty export must not silently widen the check.
                throw CtlException.Usage(
                    $"--skus-file {Describe(file)} holds no SKUs; to reconcile every SKU, leave out --sku and --skus-file.");
            }

            skus.AddRange(fromFile);
        }

        return skus.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<string> ReadFile(string path, TextReader? input)
    {
        if (path == StandardInput)
        {
            return Lines(input ?? throw CtlException.Usage("--skus-file -: there is no standard input to read SKUs from."));
        }

        if (path.Trim().Length == 0)
        {
            throw CtlException.Usage("--skus-file: give a path, or '-' for standard input.");
        }

        // File.OpenText on a directory fails as "access denied" on Linux, which would send the operator chasing
        // permissions.
        if (Directory.Exists(path))
        {
            throw CtlException.Usage($"--skus-file {path}: is a directory, not a file of SKUs.");
        }

        try
        {
            using var reader = File.OpenText(path);
            return Lines(reader);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CtlException.Usage($"--skus-file {path}: no such file.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CtlException.Usage($"--skus-file {path}: {exception.Message}");
        }
    }

    private static List<string> Lines(TextReader reader)
    {
        var skus = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var sku = line.Trim();
            if (sku.Length > 0)
            {
                skus.Add(sku);
            }
        }

        return skus;
    }

    private static string Describe(string file) => file == StandardInput ? "- (standard input)" : file;
}
