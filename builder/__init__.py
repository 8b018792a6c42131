"""The fact-sheet archive builder, one folder per stage of the build (`STAGES` in build.py):

    load/ -> validate/ -> index.py -> derive/ -> render/ -> search/ -> check/ -> write/

build.py runs the stages in that order and hands each one's output to the next. The shared
types are model.py and errors.py; english.py holds the month, weekday and number words. The
commands sit on top: __main__.py (the command line), serve/ (`serve`), draft/ (`draft`) and
scaffold.py (`init`). No import runs upward, from a stage to build.py or a command.
"""
