namespace Platform.Ctl.Output;

/// <summary>
/// platformctl's exit codes, one per cause a script may want to act on; README.md lists them too.
/// Only the reconciliation uses 3, so a scheduled check can alert on it alone.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything not listed below: an internal error of the service, an unexpected reply.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments, an unreadable endpoints file, or a request the service refused as invalid.</summary>
    public const int Usage = 2;

    /// <summary>The reconciliation ran and found mismatches.</summary>
    public const int Mismatches = 3;

    /// <summary>The dead letter (or other object) asked for does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>No API key, or one the service does not know.</summary>
    public const int Unauthenticated = 5;

    /// <summary>The API key is known but lacks the scope the call needs (e.g. order.admin).</summary>
    public const int PermissionDenied = 6;

    /// <summary>The service could not be reached (nothing listening, DNS, TLS, connection reset).</summary>
    public const int Unavailable = 7;

    /// <summary>The service did not answer within --timeout.</summary>
    public const int Timeout = 8;

    /// <summary>The operator answered no to a confirmation.</summary>
    public const int Declined = 9;

    /// <summary>The service does not serve the call (an older version).</summary>
    public const int Unimplemented = 10;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
