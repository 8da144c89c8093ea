from frontend.plan.recipe import Recipe


class File(Recipe):
    tag = "file"
    title = "File"
    script_option = "file"
