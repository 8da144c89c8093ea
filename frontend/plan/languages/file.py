from frontend.plan.recipe import Recipe


class File(Recipe):
    title = "File"
    script_option = "file"
