from frontend.plan.recipe import Recipe


class Cobol(Recipe):
    tag = "cob"
    title = "COBOL"
    script_option = "cobol"
