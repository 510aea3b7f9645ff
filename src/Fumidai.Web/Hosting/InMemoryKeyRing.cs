using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Fumidai.Web.Hosting;

/// <summary>
/// Where the cookie and antiforgery keys are kept: in memory only. A restart signs everyone out, and no key is ever written
/// outside the owner-only data directory (the framework's default would be the home directory, unencrypted).
/// </summary>
public sealed class InMemoryKeyRing : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements) return _elements.Select(e => new XElement(e)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements) _elements.Add(new XElement(element));
    }
}
