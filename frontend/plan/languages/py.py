from frontend.plan.recipe import Recipe


class Python(Recipe):
    tag = "py"
    title = "Python"
    script_option = "python"
    has_configuration = True
    verified = True
