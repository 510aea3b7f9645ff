namespace Fumidai.Cli.Infrastructure;

/// <summary>The exit codes of every <c>fumidai</c> command; scripts may rely on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Something failed while running (I/O, network, a host key not confirmed, an unexpected error).</summary>
    public const int Failure = 1;

    /// <summary>The command line or an input value is wrong: unknown option, missing argument, bad name, duration or file.</summary>
    public const int Usage = 2;

    /// <summary>The named user, target, role, key, session or recording does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>It already exists, or is in use (data directory not empty, user or target exists, role still held).</summary>
    public const int Conflict = 4;

    /// <summary>The data directory is not initialised, or its configuration file is invalid.</summary>
    public const int Configuration = 5;
}
