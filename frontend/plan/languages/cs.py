from frontend.plan.recipe import Recipe


class CSharp(Recipe):
    title = "C#"
    # .NET 8 comes from dot.net's installer script: not reachable offline.
    script_option = "netcore8"
    links_openssl = True
    has_configuration = True
