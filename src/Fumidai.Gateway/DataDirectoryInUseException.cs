namespace Fumidai.Gateway;

/// <summary>Another <c>fumidai serve</c> already holds the data directory.</summary>
public sealed class DataDirectoryInUseException : Exception
{
    public DataDirectoryInUseException(string message) : base(message)
    {
    }
}
