using Fumidai.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Every page and action of the console. There is no route that deletes or edits a recording or an audit entry.</summary>
public static class ConsoleEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/sessions"));
        SignInPages.Map(app);
        ApprovePages.Map(app);
        SessionsPage.Map(app);
        RecordingPages.Map(app);
        RecordingWindowPages.Map(app);
        LivePage.Map(app);
        LockUserAction.Map(app);
        LiveViewPage.Map(app);
        LiveStream.Map(app);
        SearchPage.Map(app);
        AuditPage.Map(app);
        ReviewPage.Map(app);
        AdminPage.Map(app);
    }
}
