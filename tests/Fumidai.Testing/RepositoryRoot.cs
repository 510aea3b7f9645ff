namespace Fumidai.Testing;

/// <summary>The checkout the tests run from: the folder holding <c>Fumidai.slnx</c>, above the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Fumidai.slnx"))) return dir.FullName;
            throw new InvalidOperationException("repository root not found");
        }
    }
}
