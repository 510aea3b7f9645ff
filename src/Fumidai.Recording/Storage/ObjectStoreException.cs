namespace Fumidai.Recording.Storage;

/// <summary>An object store refused or could not be reached; the message says which, in operator terms.</summary>
public sealed class ObjectStoreException : Exception
{
    public ObjectStoreException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
