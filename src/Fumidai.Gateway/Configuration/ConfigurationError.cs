namespace Fumidai.Gateway.Configuration;

/// <summary>An invalid configuration value, located by key, file and line so an operator can fix it.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message)
    {
    }
}
