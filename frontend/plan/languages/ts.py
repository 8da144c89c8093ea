from frontend.plan.recipe import Recipe


class TypeScript(Recipe):
    tag = "ts"
    title = "TypeScript"
    script_option = "typescript"
    requires = ("node",)
