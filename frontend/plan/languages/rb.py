from frontend.plan.recipe import Recipe


class Ruby(Recipe):
    tag = "rb"
    title = "Ruby"
    script_option = "ruby"
    has_configuration = True
