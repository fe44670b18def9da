namespace Platform.Connectors.Erp.Mapping;

// Every problem found in a mapping file, reported together so one edit fixes them all.
public sealed class ErpMappingException(string source, IReadOnlyList<string> problems)
    : Exception($"ERP mapping {source} is invalid:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public string MappingSource { get; } = source;

    public IReadOnlyList<string> Problems { get; } = problems;
}
